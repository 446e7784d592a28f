import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { loadConfig } from './config.js';
import { bootstrap, databaseOptions, openContext, printCredentials, SYSTEM } from './bootstrap.js';
import { buildApp, WEB_DIST } from './server.js';
import { recordAudit, verifyAuditChain } from './db/audit-chain.js';
import { hashPassword } from './crypto/password.js';
import { checkRoleSet } from './domain/auth/roles.js';
import { temporaryPassword } from './features/accounts/service.js';
import { endSessionsOf } from './features/auth/sessions.js';
import { acquireDataDirLock, assertDataDirFree } from './db/lock.js';
import { backupPglite, restorePglite } from './db/backup.js';
import cliProgress from 'cli-progress';
import { runImportJob } from './jobs/import/pipeline.js';
import { neutralise } from './http/xlsx.js';
import { demoPlaces, writeDemoFiles } from './demo/files.js';
import { DEMO, registerDemoOrgs } from './demo/jurisdiction.js';
import { registerDemoWork } from './demo/work.js';

const program = new Command('xgz').description('XGZ 小个专党建工作平台');

function fail(message: string): never {
  process.stderr.write(`错误：${message}\n`);
  process.exit(1);
}

/** Builds the web UI when its bundle is missing (a fresh clone), so `npm start` is the only step. */
function ensureWebBuilt(): void {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  process.stdout.write('首次启动：正在构建网页界面 (vite build)…\n');
  const res = spawnSync(process.execPath, [path.resolve('node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (res.status !== 0) fail('网页界面构建失败');
}

program
  .command('serve')
  .description('启动平台（首次启动会建库、载入行政区划与演示数据并打印初始账号）')
  .option('--no-demo', '首次启动时不载入演示数据')
  .action(async (opts: { demo: boolean }) => {
    const config = loadConfig();
    ensureWebBuilt();
    if (!config.databaseUrl) acquireDataDirLock(config.dataDir);
    const ctx = await openContext(config);
    const creds = await bootstrap(ctx, { demo: opts.demo });
    const app = await buildApp(ctx);
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
    await app.listen({ port: config.port, host: config.host });
    printCredentials(creds, url);
    if (creds.length && opts.demo) {
      void app.imports.idle().then(async () => {
        const started = performance.now();
        const orgs = await registerDemoOrgs(ctx);
        const work = await registerDemoWork(ctx);
        app.log.info({ orgs, work, ms: Math.round(performance.now() - started) }, 'demo organizations and work registered');
      }).catch((err) => app.log.error({ err }, 'demo organizations and work not registered'));
    }
    process.stdout.write(`XGZ 已启动：${url}  （数据库：${ctx.database.kind === 'pglite' ? `内置 PGlite ${config.dataDir}` : 'PostgreSQL'}；接口文档 ${url}/api/docs）\n`);
    const stop = async () => {
      await app.close();
      await ctx.database.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('migrate')
  .description('应用数据库迁移')
  .action(async () => {
    const ctx = await openContext(loadConfig());
    await ctx.database.close();
    process.stdout.write('数据库迁移已完成\n');
  });

/** Runs a maintenance command on an open context and closes it. */
async function withContext(fn: (ctx: Awaited<ReturnType<typeof openContext>>) => Promise<void>) {
  const config = loadConfig();
  if (!config.databaseUrl) assertDataDirFree(config.dataDir);
  const ctx = await openContext(config);
  try {
    await fn(ctx);
  } finally {
    await ctx.database.close();
  }
}

const user = program.command('user').description('账号维护');
user
  .command('create')
  .requiredOption('--username <name>', '账号名')
  .requiredOption('--name <displayName>', '姓名')
  .requiredOption('--jurisdiction <code>', '辖区代码（6 位行政区划代码或 9 位基层所代码）')
  .requiredOption('--roles <roles>', '角色，逗号分隔：sysadmin,secadmin,auditor,editor,viewer,station_staff,instructor')
  .action((o: { username: string; name: string; jurisdiction: string; roles: string }) =>
    withContext(async (ctx) => {
      const roles = o.roles.split(',').map((r) => r.trim()).filter(Boolean);
      const problem = checkRoleSet(roles);
      if (problem) fail(problem);
      const node = await ctx.db.selectFrom('jurisdiction').select(['code', 'scope_key']).where('code', '=', o.jurisdiction).executeTakeFirst();
      if (!node) fail(`辖区 ${o.jurisdiction} 不存在`);
      const password = temporaryPassword();
      const row = await ctx.db
        .insertInto('app_user')
        .values({ username: o.username, display_name: o.name, jurisdiction_code: node.code, scope_key: node.scope_key, roles, password_hash: await hashPassword(password, ctx.config.passwordIterations) })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(ctx.db, SYSTEM, { action: 'account.create', objectType: 'user', objectId: row.id, detail: { after: { username: o.username, roles, jurisdictionCode: node.code }, via: 'cli' } });
      process.stdout.write(`已创建账号 ${o.username}，初始密码：${password}（首次登录须修改）\n`);
    }),
  );
user
  .command('reset-password <username>')
  .description('重置密码并解除锁定（打印一次性密码）')
  .action((username: string) =>
    withContext(async (ctx) => {
      const u = await ctx.db.selectFrom('app_user').select('id').where('username', '=', username).executeTakeFirst();
      if (!u) fail(`账号 ${username} 不存在`);
      const password = temporaryPassword();
      await ctx.db.updateTable('app_user').set({ password_hash: await hashPassword(password, ctx.config.passwordIterations), must_change_password: true, failed_logins: 0, locked_until: null }).where('id', '=', u.id).execute();
      await endSessionsOf(ctx.db, u.id);
      await recordAudit(ctx.db, SYSTEM, { action: 'account.reset_password', objectType: 'user', objectId: u.id, detail: { via: 'cli' } });
      process.stdout.write(`账号 ${username} 的新密码：${password}（登录后须修改）\n`);
    }),
  );

program
  .command('audit')
  .description('审计日志')
  .command('verify')
  .description('校验审计链：逐条核对 SM3 哈希与前后链接，指出第一条被改动的记录')
  .action(async () => {
    const config = loadConfig();
    const ctx = await openContext(config);
    const result = await verifyAuditChain(ctx.db);
    await ctx.database.close();
    if (result.ok) {
      process.stdout.write(`审计链完整：共 ${result.count} 条记录，逐条校验通过\n`);
    } else {
      process.stdout.write(`审计链被破坏：第一条异常记录编号 ${result.brokenId}（${result.reason}）；此前 ${result.count} 条完好\n`);
      process.exitCode = 2;
    }
  });

program
  .command('import <kind> <file>')
  .description('导入登记信息（registry）、年报（annual-report）或党员名册（roster）文件（.xlsx/.csv），显示进度；错误行写入同名 .errors.csv')
  .option('--user <username>', '以该账号的身份和辖区导入（默认：系统，全国）')
  .action((kindArg: string, file: string, o: { user?: string }) =>
    withContext(async (ctx) => {
      const kind = ({ registry: 'registry', 'annual-report': 'annual_report', roster: 'roster' } as const)[kindArg as 'registry'];
      if (!kind) fail('类型应为 registry、annual-report 或 roster');
      if (!fs.existsSync(file)) fail(`文件不存在：${file}`);
      const u = o.user ? await ctx.db.selectFrom('app_user').select(['id', 'scope_key']).where('username', '=', o.user).executeTakeFirst() : null;
      if (o.user && !u) fail(`账号 ${o.user} 不存在`);
      const job = await ctx.db
        .insertInto('import_job')
        .values({ kind, file_name: path.basename(file), file_path: path.resolve(file), file_bytes: fs.statSync(file).size, scope_key: u?.scope_key ?? '', created_by: u?.id ?? null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const bar = new cliProgress.SingleBar({ format: '导入 [{bar}] {percentage}% | {rows} 行 | 接受 {ok} | 拒绝 {bad} | {rate} 行/秒', hideCursor: true }, cliProgress.Presets.shades_classic);
      bar.start(100, 0, { rows: 0, ok: 0, bad: 0, rate: 0 });
      const t0 = Date.now();
      const show = async () => {
        const j = await ctx.db.selectFrom('import_job').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
        bar.update(j.status === 'done' ? 100 : Math.floor((j.bytes_read / Math.max(j.file_bytes, 1)) * 100), { rows: j.rows_read, ok: j.rows_accepted, bad: j.rows_rejected, rate: Math.round(j.rows_read / ((Date.now() - t0) / 1000 || 1)) });
        return j;
      };
      const timer = setInterval(() => void show(), 500);
      await runImportJob(ctx, job.id).finally(() => clearInterval(timer));
      const j = await show();
      bar.stop();
      if (j.rows_rejected) {
        const rej = await ctx.db.selectFrom('import_rejection').select(['row_no', 'col', 'value', 'reason']).where('job_id', '=', job.id).orderBy('row_no').execute();
        const out = `${file}.errors.csv`;
        fs.writeFileSync(out, '\ufeff行号,列,值,原因\n' + rej.map((r) => [r.row_no, r.col ?? '', r.value ?? '', r.reason].map((v) => `"${neutralise(String(v)).replaceAll('"', '""')}"`).join(',')).join('\n') + '\n');
        process.stdout.write(`有 ${j.rows_rejected} 行未导入，原因见 ${out}\n`);
      }
      process.stdout.write(j.status === 'done' ? `导入完成：读取 ${j.rows_read} 行，接受 ${j.rows_accepted}，拒绝 ${j.rows_rejected}，变更 ${j.rows_changed}\n` : `导入未完成：${j.error}\n`);
      if (j.status !== 'done') process.exitCode = 1;
    }),
  );

program
  .command('demo')
  .description('演示数据')
  .command('generate')
  .description('生成演示用登记信息与年报文件（可复现：同一种子得到同一数据）')
  .option('--entities <n>', '市场主体数量', '20000')
  .option('--seed <s>', '随机种子', '2026')
  .option('--out <dir>', '输出目录', './demo-data')
  .option('--format <f>', 'csv 或 xlsx', 'csv')
  .option('--bad <share>', '错误行比例（0–1）', '0.02')
  .action((o: { entities: string; seed: string; out: string; format: string; bad: string }) =>
    withContext(async (ctx) => {
      if (!['csv', 'xlsx'].includes(o.format)) fail('格式应为 csv 或 xlsx');
      const places = await demoPlaces(ctx.db, DEMO.countyCodes);
      const files = await writeDemoFiles(path.resolve(o.out), { entities: Number(o.entities), seed: Number(o.seed), badShare: Number(o.bad), places }, o.format as 'csv');
      process.stdout.write(`已生成：\n  ${files.registry}\n  ${files.annualReport}\n  ${files.roster}\n`);
    }),
  );

program
  .command('backup <file>')
  .description('备份内置数据库（须先停止服务）；PostgreSQL 请用 pg_dump')
  .action(async (file: string) => {
    const config = loadConfig();
    if (config.databaseUrl) {
      process.stdout.write('使用 PostgreSQL 服务器时请用其自带工具备份：\n  pg_dump -Fc "$DATABASE_URL" > xgz.dump\n恢复：pg_restore -d "$DATABASE_URL" --clean xgz.dump\n另请备份密钥文件（XGZ_DATA_DIR/keys/master.key 或 XGZ_DATA_KEY）。\n');
      return;
    }
    assertDataDirFree(config.dataDir);
    const bytes = await backupPglite(databaseOptions(config).pgliteDir!, path.resolve(file));
    process.stdout.write(`已备份到 ${path.resolve(file)}（${(bytes / 1048576).toFixed(1)} MB）。密钥文件 ${path.join(config.dataDir, 'keys')} 须另行妥善保管。\n`);
  });

program
  .command('restore <file>')
  .description('从备份恢复内置数据库（须先停止服务；原数据目录会被改名保留）')
  .action(async (file: string) => {
    const config = loadConfig();
    if (config.databaseUrl) fail('使用 PostgreSQL 服务器时请用 pg_restore 恢复');
    assertDataDirFree(config.dataDir);
    const kept = await restorePglite(path.resolve(file), databaseOptions(config).pgliteDir!);
    process.stdout.write(`已从 ${file} 恢复。${kept ? `原数据保留在 ${kept}` : ''}\n`);
  });

program.parseAsync(process.argv).catch((err: Error) => fail(err.message));
