import path from 'node:path';
import type { Config } from './config.js';
import type { AppContext } from './http/context.js';
import { openDatabase, type OpenOptions } from './db/connection.js';
import { migrate } from './db/migrate.js';
import { recordAudit, registerAuditKey } from './db/audit-chain.js';
import { secureDataDir } from './db/data-dir.js';
import { deriveKeys, loadOrCreateMasterKey } from './crypto/keys.js';
import { hashPassword } from './crypto/password.js';
import { setTimeZone } from './domain/time/zone.js';
import { NATION_CODE } from './domain/jurisdiction/codes.js';
import { temporaryPassword } from './features/accounts/index.js';
import { seedJurisdictions } from './features/jurisdictions/index.js';
import { SettingsStore } from './db/settings.js';
import { loadDemo, type Credential } from './demo/jurisdiction.js';

export type { Credential } from './demo/jurisdiction.js';

export const SYSTEM = { userId: null, username: 'system', scopeKey: '', ip: null };

export function databaseOptions(config: Config): OpenOptions {
  const where = config.databaseUrl
    ? { databaseUrl: config.databaseUrl }
    : { pgliteDir: path.join(config.dataDir, 'pgdata') };
  return { ...where, timeZone: config.timeZone };
}

/** Opens the database, applies migrations, loads the GB/T 2260 tree and the keys: everything a command needs. */
export async function openContext(config: Config, open: OpenOptions = databaseOptions(config)): Promise<AppContext> {
  // The data directory and everything in it 0700/0600, before the database opens its files.
  secureDataDir(config.dataDir);
  // Today, a month and a period's end in the deployment's zone, for every command, not only the server.
  setTimeZone(config.timeZone);
  const database = await openDatabase(open);
  try {
    await migrate(database.pool);
    await seedJurisdictions(database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  const { key } = loadOrCreateMasterKey(config.dataDir, config.dataKey);
  const keys = deriveKeys(key);
  registerAuditKey(database.db, keys.auditMac);
  return { config, database, db: database.db, keys, settings: new SettingsStore(database.db) };
}

/** The three duty holders created at first start (三员分立), each with a password shown once. */
const FIRST_ACCOUNTS = [
  { username: 'admin', display_name: '系统管理员', roles: ['sysadmin'] },
  { username: 'secadmin', display_name: '安全管理员', roles: ['secadmin'] },
  { username: 'auditor', display_name: '安全审计员', roles: ['auditor'] },
];

/**
 * First start: creates the duty holders and, unless told not to,
 * the demo jurisdiction with its business accounts. Returns the credentials created now
 * (empty on later starts).
 */
export async function bootstrap(
  ctx: AppContext,
  opts: { demo: boolean; demoEntities?: number },
): Promise<Credential[]> {
  const { db } = ctx;
  const created: Credential[] = [];
  const anyUser = await db.selectFrom('app_user').select('id').limit(1).executeTakeFirst();
  if (!anyUser) {
    for (const a of FIRST_ACCOUNTS) {
      const password = temporaryPassword();
      await db
        .insertInto('app_user')
        .values({
          ...a,
          jurisdiction_code: NATION_CODE,
          scope_key: '',
          password_hash: await hashPassword(password, ctx.config.passwordIterations),
        })
        .execute();
      created.push({ username: a.username, password, role: a.display_name, jurisdiction: '全国' });
    }
    await recordAudit(db, SYSTEM, {
      action: 'system.bootstrap',
      detail: { accounts: FIRST_ACCOUNTS.map((a) => a.username) },
    });
    if (opts.demo) created.push(...(await loadDemo(ctx, opts.demoEntities ?? 20_000)));
  }
  return created;
}

export function printCredentials(creds: Credential[], url: string): void {
  if (creds.length === 0) return;
  const lines = [
    '',
    '================ XGZ 首次启动：初始账号（密码只显示这一次，请妥善保存） ================',
    ...creds.map(
      (c) => `  ${c.role.padEnd(10, '　')} 账号 ${c.username.padEnd(16)} 密码 ${c.password}   （${c.jurisdiction}）`,
    ),
    '  首次登录须修改密码；三员（系统管理员、安全管理员、审计员）须绑定动态口令（TOTP）。',
    `  打开 ${url}`,
    '==========================================================================================',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
