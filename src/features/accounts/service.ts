import crypto from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { hashPassword } from '../../crypto/password.js';
import { generatePassword } from '../../domain/auth/password-policy.js';
import { checkRoleSet, isAdminDuty, type Permission } from '../../domain/auth/roles.js';
import { checkBinding, type Binding } from '../../domain/auth/binding.js';
import { badRequest, forbidden, notFound } from '../../http/errors.js';

/** A business role needs accounts.manage to grant or take away; an administrator duty needs accounts.grant_duties. */
export function assertMayAssign(perms: Set<Permission>, changed: readonly string[]): void {
  for (const role of changed) {
    const needed: Permission = isAdminDuty(role) ? 'accounts.grant_duties' : 'accounts.manage';
    if (!perms.has(needed)) {
      throw forbidden(isAdminDuty(role) ? '三员分立：管理员职责只能由安全管理员分配' : '业务角色只能由系统管理员分配');
    }
  }
}

/**
 * 三员分立: a duty account's credentials are never issued through the API — whoever issued them
 * would hold a working sign-in for another duty. They are set on the server's command line.
 */
export function assertNotDutyCredential(roles: readonly string[], what: string): void {
  if (roles.some(isAdminDuty)) {
    throw forbidden(
      `三员分立：管理员账号的${what}只能由服务器运维人员用命令行办理（xgz user ${what === '创建' ? 'create' : what === '密码' ? 'reset-password' : 'reset-totp'}），不能由其他管理员在网页上办理`,
    );
  }
}

/**
 * 三员分立: a duty holder's account is disabled, moved or given other roles on the server's command
 * line only — through the API one duty holder could lock out or blind another (the auditor moved
 * to a station sees none of the security administrator's actions).
 */
export function assertDutyAccountKept(
  before: { roles: readonly string[]; disabled: boolean; jurisdiction_code: string },
  b: { roles?: readonly string[]; disabled?: boolean; jurisdictionCode?: string },
): void {
  if (!before.roles.some(isAdminDuty)) return;
  const sameRoles =
    !b.roles || (b.roles.length === before.roles.length && b.roles.every((r) => before.roles.includes(r)));
  const changed = [
    !sameRoles && '角色',
    b.jurisdictionCode !== undefined && b.jurisdictionCode !== before.jurisdiction_code && '辖区',
    b.disabled !== undefined && b.disabled !== before.disabled && (b.disabled ? '停用' : '启用'),
  ].filter(Boolean);
  if (changed.length)
    throw forbidden(
      `三员分立：管理员账号的${changed.join('、')}只能由服务器运维人员用命令行办理（xgz user disable / enable / create），不能在网页上办理`,
    );
}

export function assertRoleSet(roles: readonly string[]): void {
  const problem = checkRoleSet(roles);
  if (problem) throw badRequest(problem, [{ field: 'roles', message: problem }]);
}

/** The jurisdiction node an account is bound to, looked up within the caller's scope. */
export async function visibleNode(db: Transaction<DB>, code: string) {
  const j = await db
    .selectFrom('jurisdiction')
    .select(['code', 'scope_key', 'name', 'level'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!j) throw notFound('辖区');
  return j;
}

export const temporaryPassword = () => generatePassword((n) => crypto.randomBytes(n));

export async function newPasswordHash(iterations?: number): Promise<{ password: string; hash: string }> {
  const password = temporaryPassword();
  return { password, hash: await hashPassword(password, iterations) };
}

/**
 * The unit or instructor record an account is bound to (issue 13): visible to the administrator,
 * of the right kind, and on the account's own node — the node its cases hang on.
 */
export async function assertBinding(
  db: Transaction<DB>,
  roles: readonly string[],
  b: Binding,
  nodeScopeKey: string,
): Promise<void> {
  const problem = checkBinding(roles, b);
  if (problem)
    throw badRequest(problem, [
      {
        field:
          b.platformId != null
            ? 'platformId'
            : b.orgId != null
              ? 'orgId'
              : b.instructorId != null
                ? 'instructorId'
                : 'roles',
        message: problem,
      },
    ]);
  const check = async (field: string, label: string, row: { scope_key: string } | undefined) => {
    if (!row) throw badRequest(`${label}不存在或不在本辖区`, [{ field, message: `${label}不存在或不在本辖区` }]);
    if (row.scope_key !== nodeScopeKey)
      throw badRequest(`账号辖区应为该${label}所在辖区`, [
        { field: 'jurisdictionCode', message: `账号辖区应为该${label}所在辖区` },
      ]);
  };
  if (b.platformId != null) {
    // A platform's cases hang on the node of its contact point (党建联系点), not the node that registered it.
    const p = await db.selectFrom('platform').select('id').where('id', '=', b.platformId).executeTakeFirst();
    if (!p) throw badRequest('平台不存在或不在本辖区', [{ field: 'platformId', message: '平台不存在或不在本辖区' }]);
    const points = await db
      .selectFrom('recognition_point')
      .select('scope_key')
      .where('platform_id', '=', b.platformId)
      .where('kind', '=', 'contact')
      .execute();
    if (!points.length)
      throw badRequest('该平台尚未设立党建联系点', [{ field: 'platformId', message: '该平台尚未设立党建联系点' }]);
    if (!points.some((x) => x.scope_key === nodeScopeKey))
      throw badRequest('账号辖区应为该平台党建联系点所在辖区', [
        { field: 'jurisdictionCode', message: '账号辖区应为该平台党建联系点所在辖区' },
      ]);
  }
  if (b.orgId != null) {
    await check(
      'orgId',
      '网约配送员行业党委',
      await db
        .selectFrom('party_org')
        .select('scope_key')
        .where('id', '=', b.orgId)
        .where('sector', '=', 'riders')
        .where('kind', '=', 'committee')
        .executeTakeFirst(),
    );
  }
  if (b.instructorId != null) {
    // An instructor's account sits on the instructor's node or above it.
    const i = await db.selectFrom('instructor').select('scope_key').where('id', '=', b.instructorId).executeTakeFirst();
    if (!i)
      throw badRequest('指导员不存在或不在本辖区', [{ field: 'instructorId', message: '指导员不存在或不在本辖区' }]);
    if (!i.scope_key.startsWith(nodeScopeKey))
      throw badRequest('账号辖区应包含该指导员所在辖区', [
        { field: 'jurisdictionCode', message: '账号辖区应包含该指导员所在辖区' },
      ]);
  }
}
