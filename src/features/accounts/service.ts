import crypto from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { hashPassword } from '../../crypto/password.js';
import { generatePassword } from '../../domain/auth/password-policy.js';
import { checkRoleSet, isAdminDuty, type Permission } from '../../domain/auth/roles.js';
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

export function assertRoleSet(roles: readonly string[]): void {
  const problem = checkRoleSet(roles);
  if (problem) throw badRequest(problem, [{ field: 'roles', message: problem }]);
}

/** The jurisdiction node an account is bound to, looked up within the caller's scope. */
export async function visibleNode(db: Transaction<DB>, code: string) {
  const j = await db.selectFrom('jurisdiction').select(['code', 'scope_key', 'name', 'level']).where('code', '=', code).executeTakeFirst();
  if (!j) throw notFound('辖区');
  return j;
}

export const temporaryPassword = () => generatePassword((n) => crypto.randomBytes(n));

export async function newPasswordHash(iterations?: number): Promise<{ password: string; hash: string }> {
  const password = temporaryPassword();
  return { password, hash: await hashPassword(password, iterations) };
}
