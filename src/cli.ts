import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { sql } from 'kysely';
import { loadConfig } from './config.js';
import { bootstrap, databaseOptions, openContext, printCredentials, SYSTEM } from './bootstrap.js';
import { buildApp, shutdown, WEB_DIST } from './server.js';
import { recordAudit, registerAuditKey, verifyAuditChain } from './db/audit-chain.js';
import { AnchorError, readAnchors } from './db/audit-anchor.js';
import { hashPassword } from './crypto/password.js';
import { checkRoleSet } from './domain/auth/roles.js';
import { rowPlace } from './domain/ledger/sheets.js';
import {
  resetPasswordOnServer,
  resetTotpOnServer,
  setDisabledOnServer,
  temporaryPassword,
  unlockAccount,
} from './features/accounts/index.js';
import { acquireDataDirLock, processState, releaseDataDirLock } from './db/lock.js';
import {
  BackupError,
  backupPglite,
  backupPostgres,
  restorePglite,
  verifyPgliteArchive,
  verifyPostgresDump,
} from './db/backup.js';
import { isConnectionError } from './db/connection.js';
import { citusBlockers, citusState, distributeForCitus, isCitus } from './db/citus.js';
import { reclaimStaleImports } from './jobs/import/lease.js';
import cliProgress from 'cli-progress';
import { runImportJob } from './jobs/import/pipeline.js';
import { assertFullRoster, previewFile, readLocalAccess, type LocalAccess } from './features/imports/index.js';
import { neutralise } from './http/xlsx.js';
import { Problem } from './http/errors.js';
import { demoPlaces, writeDemoFiles } from './demo/files.js';
import { DEMO, registerDemoOrgs } from './demo/jurisdiction.js';
import { registerDemoWork } from './demo/work.js';
import { takeSystemSnapshots } from './features/indicators/index.js';

const program = new Command('xgz').description('XGZ 小个专党建工作平台');

// Everything this process writes (database files, keys, kept imports, anchors, demo files) is private to its user.
process.umask(0o077);
function fail(message: string): never {
  process.stderr.write(`错误：${message}\n`);
  process.exit(1);
}

/** Builds the web UI when its bundle is missing (a fresh clone), so `npm start` is the only step. */
function ensureWebBuilt(): void {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  process.stdout.write('首次启动：正在构建网页界面 (vite build)…\n');
  const res = spawnSync(
    process.execPath,
    [path.resolve('node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
    { stdio: 'inherit' },
  );
  if (res.status !== 0) fail('网页界面构建失败');
}

program
  .command('serve')
  .description('启动平台（首次启动会建库、载入行政区划与演示数据并打印初始账号）')
  .option('--no-demo', '首次启动时不载入演示数据')
  .action(async (opts: { demo: boolean }) => {
    const config = loadConfig();
    ensureWebBuilt();
    if (!config.databaseUrl) acquireDataDirLock(config.dataDir, 'serve');
    const ctx = await openContext(config);
    const creds = await bootstrap(ctx, { demo: opts.demo });
    const app = await buildApp(ctx, { housekeeping: true });
    const url = `${config.tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
    await app.listen({ port: config.port, host: config.host });
    printCredentials(creds, url);
    if (creds.length && opts.demo) {
      void app.imports
        .idle()
        .then(async () => {
          const started = performance.now();
          const orgs = await registerDemoOrgs(ctx);
          const work = await registerDemoWork(ctx);
          app.log.info(
            { orgs, work, ms: Math.round(performance.now() - started) },
            'demo organizations and work registered',
          );
          // The start-up snapshot ran before the demo existed (nothing to count): this month's, now that it does.
          const nodes = await takeSystemSnapshots(ctx.db, true);
          app.log.info({ nodes }, 'indicator snapshot taken after the demo data');
        })
        .catch((err) => app.log.error({ err }, 'demo organizations and work not registered'));
    }
    process.stdout.write(
      `XGZ 已启动：${url}  （数据库：${ctx.database.kind === 'pglite' ? `内置 PGlite ${config.dataDir}` : 'PostgreSQL'}；接口文档 ${url}/api/docs）\n`,
    );
    // Graceful stop: finish or hand back what is in flight within the timeout, release the lock.
    // A second signal while stopping ends the process at once.
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      process.stdout.write(`收到 ${signal}，正在停止：不再接受新请求，等待进行中的请求与任务结束…\n`);
      void shutdown(app, ctx, Number(process.env.XGZ_SHUTDOWN_TIMEOUT_MS) || 25_000).then((clean) => {
        process.stdout.write(
          clean ? 'XGZ 已停止\n' : 'XGZ 已停止（超时：未完成的导入任务会在下次启动时标为中断，可重新导入）\n',
        );
        process.exit(0);
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

program
  .command('migrate')
  .description('应用数据库迁移')
  .action(() => withContext(async () => void process.stdout.write('数据库迁移已完成\n'), 'migrate'));

const citus = program.command('citus').description('Citus 集群：分布数据表、查看分布情况');
citus
  .command('distribute')
  .description('在 Citus 协调节点上把数据表设为复制表或按县区代码分布（可重复执行；xgz migrate 也会执行）')
  .action(() =>
    withContext(async (ctx) => {
      if (!(await isCitus(ctx.database.pool)))
        fail('当前数据库未安装 citus 扩展（DATABASE_URL 须指向 Citus 协调节点）');
      await distributeForCitus(ctx.database.pool, (m) => process.stdout.write(`${m}\n`));
      process.stdout.write('分布完成\n');
    }, 'citus distribute'),
  );
citus
  .command('status')
  .description('各表在 Citus 集群中的分布情况')
  .action(() =>
    withContext(async (ctx) => {
      if (!(await isCitus(ctx.database.pool))) fail('当前数据库未安装 citus 扩展');
      const s = await citusState(ctx.database.pool);
      process.stdout.write(`工作节点 ${s.workers} 个\n复制表（每个节点一份）：${s.reference.join(', ') || '无'}\n`);
      process.stdout.write(
        `按县区代码分布：${s.distributed.map((d) => `${d.table}(${d.shards} 个分片)`).join(', ') || '无'}\n协调节点本地：${s.local.join(', ') || '无'}\n`,
      );
      process.stdout.write('留在协调节点的表及原因（Citus 的限制，见 README）：\n');
      for (const b of await citusBlockers(ctx.database.pool))
        if (b.reasons.length) process.stdout.write(`  ${b.table}: ${b.reasons.join('; ')}\n`);
    }, 'citus status'),
  );

/**
 * Runs a maintenance command on an open context and closes it. On the embedded database the
 * command takes the data-dir lock (PGlite is one process's: it is refused while a server or
 * another command runs). On PostgreSQL commands run beside a server: each write is its own
 * transaction, as a request's is.
 */
async function withContext(
  fn: (ctx: Awaited<ReturnType<typeof openContext>>) => Promise<void>,
  command = process.argv.slice(2, 4).join(' '),
) {
  const config = loadConfig();
  if (!config.databaseUrl) acquireDataDirLock(config.dataDir, command);
  try {
    const ctx = await openContext(config);
    try {
      await fn(ctx);
    } finally {
      await ctx.database.close();
    }
  } finally {
    releaseDataDirLock();
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
      const roles = o.roles
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const problem = checkRoleSet(roles);
      if (problem) fail(problem);
      const node = await ctx.db
        .selectFrom('jurisdiction')
        .select(['code', 'scope_key'])
        .where('code', '=', o.jurisdiction)
        .executeTakeFirst();
      if (!node) fail(`辖区 ${o.jurisdiction} 不存在`);
      const password = temporaryPassword();
      const row = await ctx.db
        .insertInto('app_user')
        .values({
          username: o.username,
          display_name: o.name,
          jurisdiction_code: node.code,
          scope_key: node.scope_key,
          roles,
          password_hash: await hashPassword(password, ctx.config.passwordIterations),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(ctx.db, SYSTEM, {
        action: 'account.create',
        objectType: 'user',
        objectId: row.id,
        detail: { after: { username: o.username, roles, jurisdictionCode: node.code }, via: 'cli' },
      });
      process.stdout.write(`已创建账号 ${o.username}，初始密码：${password}（首次登录须修改）\n`);
    }),
  );
user
  .command('reset-password <username>')
  .description('重置密码并解除锁定（打印一次性密码）；三员账号的密码只能这样重置')
  .action((username: string) =>
    withContext(async (ctx) => {
      const password = await resetPasswordOnServer(ctx.db, username, ctx.config.passwordIterations);
      if (password === null) fail(`账号 ${username} 不存在`);
      process.stdout.write(`账号 ${username} 的新密码：${password}（登录后须修改）\n`);
    }),
  );
user
  .command('unlock <username>')
  .description('解除账号锁定及各地址的登录暂停')
  .action((username: string) =>
    withContext(async (ctx) => {
      if (!(await unlockAccount(ctx.db, username))) fail(`账号 ${username} 不存在`);
      process.stdout.write(`账号 ${username} 已解除锁定\n`);
    }),
  );
for (const [name, disabled] of [
  ['disable', true],
  ['enable', false],
] as const)
  user
    .command(`${name} <username>`)
    .description(disabled ? '停用账号并结束其会话；三员账号只能这样停用' : '启用已停用的账号；三员账号只能这样启用')
    .action((username: string) =>
      withContext(async (ctx) => {
        if (!(await setDisabledOnServer(ctx.db, username, disabled))) fail(`账号 ${username} 不存在`);
        process.stdout.write(`账号 ${username} 已${disabled ? '停用' : '启用'}\n`);
      }),
    );
user
  .command('reset-totp <username>')
  .description('解绑动态口令（丢失手机时），下次登录须重新绑定；三员账号的动态口令只能这样解绑')
  .action((username: string) =>
    withContext(async (ctx) => {
      if (!(await resetTotpOnServer(ctx.db, username))) fail(`账号 ${username} 不存在`);
      process.stdout.write(`账号 ${username} 的动态口令已解绑，下次登录须重新绑定\n`);
    }),
  );

program
  .command('audit')
  .description('审计日志')
  .command('verify')
  .description('校验审计链：逐条核对 SM3 哈希与前后链接，指出第一条被改动的记录')
  .action(async () => {
    // Embedded database: under the data-dir lock (never beside a server). PostgreSQL: beside a
    // running server, safely: the whole chain is read in one REPEATABLE READ snapshot, so records
    // appended meanwhile are neither half-seen nor taken for a break.
    let result!: Awaited<ReturnType<typeof verifyAuditChain>>;
    try {
      await withContext(async (ctx) => {
        const anchors = readAnchors(ctx.db, ctx.config.dataDir);
        result = await ctx.db
          .transaction()
          .setIsolationLevel('repeatable read')
          .setAccessMode('read only')
          .execute((trx) => {
            registerAuditKey(trx, ctx.keys.auditMac);
            return verifyAuditChain(trx, 5000, anchors);
          });
      }, 'audit verify');
    } catch (err) {
      if (!(err instanceof AnchorError)) throw err;
      process.stdout.write(`审计链校验失败：${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (result.ok) {
      process.stdout.write(
        `审计链完整：共 ${result.count} 条记录，逐条校验通过（第 ${result.keyedFrom} 条起以 HMAC-SM3 密钥保护；核对库外锚点 ${result.anchors} 个）\n`,
      );
    } else {
      process.stdout.write(
        `审计链被破坏：第一条异常记录编号 ${result.brokenId}（${result.reason}）；此前 ${result.count} 条完好\n`,
      );
      process.exitCode = 2;
    }
  });

type JobFigures = {
  status: string;
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rows_changed: number;
  bytes_read: number;
  file_bytes: number;
  error: string | null;
  footer?: string | null;
  withheld?: string | null;
  absent_members?: number | null;
  members_left?: number | null;
  /** The sheets the job read together: its row numbers are references (domain/ledger/sheets.ts). */
  sheets?: string[] | null;
};
type RejectedRow = { row_no: number; col: string | null; value: string | null; reason: string };

/** The progress bar of `xgz import`, fed by the job's figures wherever the job runs. */
function importProgress() {
  const bar = new cliProgress.SingleBar(
    { format: '导入 [{bar}] {percentage}% | {rows} 行 | 接受 {ok} | 拒绝 {bad} | {rate} 行/秒', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { rows: 0, ok: 0, bad: 0, rate: 0 });
  const t0 = Date.now();
  return {
    show: (j: JobFigures) =>
      bar.update(
        j.status === 'done' ? 100 : Math.floor((Number(j.bytes_read) / Math.max(Number(j.file_bytes), 1)) * 100),
        {
          rows: j.rows_read,
          ok: j.rows_accepted,
          bad: j.rows_rejected,
          rate: Math.round(j.rows_read / ((Date.now() - t0) / 1000 || 1)),
        },
      ),
    stop: () => bar.stop(),
  };
}

/** The end of `xgz import`: refused rows into FILE.errors.csv, the outcome on the terminal, exit code 1 unless done. */
function importOutcome(file: string, j: JobFigures, rejections: RejectedRow[]) {
  if (j.rows_rejected) {
    const out = `${file}.errors.csv`;
    const sheets = j.sheets ?? null;
    fs.writeFileSync(
      out,
      `\ufeff${sheets ? '工作表,' : ''}行号,列,值,原因\n` +
        rejections
          .map((r) => {
            const at = rowPlace(r.row_no, sheets);
            return [...(sheets ? [at.sheet ?? ''] : []), at.rowNo, r.col ?? '', r.value ?? '', r.reason]
              .map((v) => `"${neutralise(String(v)).replaceAll('"', '""')}"`)
              .join(',');
          })
          .join('\n') +
        '\n',
      { mode: 0o600 },
    );
    process.stdout.write(`有 ${j.rows_rejected} 行未导入，原因见 ${out}\n`);
  } else if (fs.existsSync(`${file}.errors.csv`)) {
    // An earlier run's refusals would read as this run's.
    fs.rmSync(`${file}.errors.csv`);
    process.stdout.write(`没有拒绝的行；上次导入留下的 ${file}.errors.csv 已删除\n`);
  }
  reportOutcome(j);
}

/** A full roster's end: how many members of its organizations it no longer had, and where their cases are. */
const leftNote = (n: number) => `名册记录组织关系已转出：${n} 名党员已记为已转出（按转出日期）`;
const absentNote = (n: number) =>
  n
    ? `完整名册比对：所涉党组织中有 ${n} 名党员不在本名册中，已生成"名册中已不存在"核实线索（网页"查找党员"页）`
    : '完整名册比对：所涉党组织的党员都在本名册中';

/** The last lines of an import on the terminal (and the exit code): its figures, the footer it skipped, or why it stopped. */
function reportOutcome(j: JobFigures) {
  process.stdout.write(
    j.status === 'done'
      ? `导入完成：读取 ${j.rows_read} 行，接受 ${j.rows_accepted}，拒绝 ${j.rows_rejected}，变更 ${j.rows_changed}\n${j.footer ? `${j.footer}\n` : ''}${j.withheld ? `${j.withheld}\n` : ''}${j.members_left ? `${leftNote(j.members_left)}\n` : ''}${j.absent_members != null ? `${absentNote(j.absent_members)}\n` : ''}`
      : `导入未完成：${j.error}\n`,
  );
  if (j.status !== 'done') process.exitCode = 1;
}

/**
 * Hands the file to the running server (embedded database: only the server may open it) over
 * the loopback interface with the token it wrote into the data dir, and follows the job there.
 */
type ImportCliOptions = {
  user?: string;
  sheet?: string;
  profile?: string;
  mapping?: string;
  acknowledge?: string;
  fullRoster?: boolean;
};

async function handOffImport(
  access: LocalAccess,
  kind: string,
  file: string,
  o: ImportCliOptions,
  mapping: Record<string, string> | undefined,
): Promise<boolean> {
  const headers = { 'x-xgz-local-token': access.token };
  const q = new URLSearchParams({
    fileName: path.basename(file),
    ...(o.user ? { user: o.user } : {}),
    ...(o.sheet ? { sheet: o.sheet } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.fullRoster ? { fullRoster: 'true' } : {}),
  });
  const acknowledge = (o.acknowledge ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const res = await fetch(`${access.url}/api/v1/local/imports/${kind}?${q}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ path: path.resolve(file), mapping, acknowledge }),
  }).catch(() => null);
  if (!res) return false; // a stale note of a server that is gone
  const body = (await res.json()) as { id?: number; detail?: string; columns?: string[] };
  if (res.status !== 202 || !body.id) fail(body.detail ?? `服务拒绝了导入（HTTP ${res.status}）`);
  for (const c of body.columns ?? []) process.stdout.write(`  ${c}\n`);
  process.stdout.write(
    `服务正在运行（${access.url}），文件已交给服务的导入队列：任务 ${body.id}，也可在网页"数据导入"页查看\n`,
  );
  const progress = importProgress();
  for (;;) {
    const r = await fetch(`${access.url}/api/v1/local/imports/${body.id}`, { headers });
    if (!r.ok) fail(`无法读取导入进度（HTTP ${r.status}）`);
    const j = (await r.json()) as JobFigures & { rejections: RejectedRow[] };
    progress.show(j);
    if (!['queued', 'running'].includes(j.status)) {
      progress.stop();
      importOutcome(file, j, j.rejections);
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

program
  .command('import <kind> <file>')
  .description(
    '导入登记信息（registry）、年报（annual-report）或党员名册（roster）文件（.xlsx/.xls/.csv），显示进度；错误行写入同名 .errors.csv。服务运行时（内置数据库）文件交给服务的导入队列',
  )
  .option('--user <username>', '以该账号的身份和辖区导入（默认：系统，全国）')
  .option('--sheet <name>', '工作簿有多个工作表时导入哪一个（错误报告的"待修正数据"自动识别）')
  .option('--profile <name>', '使用保存的来源配置（在"数据导入"页保存的列对应）')
  .option(
    '--mapping <file.json>',
    '列对应文件：{"项": "文件中的列名"}，如 {"name": "商户字号"}；与 --profile 同用时逐项覆盖',
  )
  .option('--acknowledge <columns>', '确认不导入的提示列（以逗号分隔的列名；all 表示全部）')
  .option(
    '--full-roster',
    '仅党员名册：文件是所涉党组织的完整名册，导入成功后这些党组织中文件没有的党员生成"名册中已不存在"核实线索',
  )
  .action(async (kindArg: string, file: string, o: ImportCliOptions) => {
    const kind = (
      {
        registry: 'registry',
        'annual-report': 'annual_report',
        roster: 'roster',
        'abnormal-list': 'abnormal_list',
        'untrustworthy-list': 'untrustworthy_list',
      } as const
    )[kindArg as 'registry'];
    if (!kind) fail('类型应为 registry、annual-report、roster、abnormal-list 或 untrustworthy-list');
    if (!fs.existsSync(file)) fail(`文件不存在：${file}`);
    let sent: Record<string, string> | undefined;
    if (o.mapping) {
      try {
        sent = JSON.parse(fs.readFileSync(o.mapping, 'utf8')) as Record<string, string>;
      } catch {
        fail(`列对应文件 ${o.mapping} 无法读取或不是 JSON`);
      }
    }
    const config = loadConfig();
    const access = config.databaseUrl ? null : readLocalAccess(config.dataDir);
    if (access && processState(access.server) === 'alive' && (await handOffImport(access, kind, file, o, sent))) return;
    // No server on this data dir, or PostgreSQL (which the server and this process share safely): run here.
    await withContext(async (ctx) => {
      const u = o.user
        ? await ctx.db
            .selectFrom('app_user')
            .select(['id', 'scope_key'])
            .where('username', '=', o.user)
            .executeTakeFirst()
        : null;
      if (o.user && !u) fail(`账号 ${o.user} 不存在`);
      // The column plan first, as on the web page: what feeds what, what is left out.
      let base: Record<string, string> = {};
      if (o.profile) {
        const p = await ctx.db
          .selectFrom('import_profile')
          .select('mapping')
          .where('kind', '=', kind)
          .where('name', '=', o.profile)
          .where(
            sql<boolean>`starts_with(${u?.scope_key ?? ''}, scope_key) OR starts_with(scope_key, ${u?.scope_key ?? ''})`,
          )
          .orderBy(sql`length(scope_key)`, 'desc')
          .executeTakeFirst();
        if (!p) fail(`没有名为"${o.profile}"的来源配置`);
        base = p.mapping;
      }
      const plan = await previewFile(
        ctx.keys,
        kind,
        '',
        path.resolve(file),
        path.basename(file),
        { ...base, ...(sent ?? {}) },
        o.sheet,
      ).catch((err: Error) =>
        fail(
          err instanceof Problem && err.code === 'sheet_required'
            ? `${err.message}：加 --sheet 工作表名称`
            : err.message,
        ),
      );
      for (const c of plan.columns) process.stdout.write(`  ${c.header || `第${c.index + 1}列`} → ${c.note}\n`);
      if (plan.missing.length)
        fail(
          plan.otherList ??
            `缺少必需的列：${plan.missing.map((m) => `${m.label}（${m.field}）`).join('、')}。请用 --mapping 指定，如 {"${plan.missing[0].field}": "文件中的列名"}`,
        );
      const ack = (o.acknowledge ?? '').split(',').map((h) => h.trim());
      const open = plan.warnings.filter((w) => !ack.includes('all') && !ack.includes(w.header));
      if (open.length)
        fail(
          `以下列将不导入：${open.map((w) => w.reason).join('；')}。确认后加 --acknowledge "${open.map((w) => w.header).join(',')}" 重新运行`,
        );
      try {
        assertFullRoster(plan, kind, !!o.fullRoster);
      } catch (err) {
        fail((err as Error).message);
      }
      const job = await ctx.db
        .insertInto('import_job')
        .values({
          kind,
          file_name: path.basename(file),
          file_path: path.resolve(file),
          file_bytes: fs.statSync(file).size,
          scope_key: u?.scope_key ?? '',
          created_by: u?.id ?? null,
          mapping: JSON.stringify(plan.mapping),
          sheet: plan.sheet,
          sheets: plan.sheets,
          full_roster: !!o.fullRoster,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const progress = importProgress();
      const show = async () => {
        const j = await ctx.db.selectFrom('import_job').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
        progress.show(j);
        return j;
      };
      // The last poll is awaited before the database closes (a poll in flight then failed the command).
      let polling: Promise<unknown> = Promise.resolve();
      const timer = setInterval(() => {
        polling = show().catch(() => undefined);
      }, 500);
      await runImportJob(ctx, job.id).finally(() => clearInterval(timer));
      await polling;
      const j = await show();
      progress.stop();
      const rej = j.rows_rejected
        ? await ctx.db
            .selectFrom('import_rejection')
            .select(['row_no', 'col', 'value', 'reason'])
            .where('job_id', '=', job.id)
            .orderBy('row_no')
            .execute()
        : [];
      importOutcome(file, j, rej);
    });
  });

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
      const files = await writeDemoFiles(
        path.resolve(o.out),
        { entities: Number(o.entities), seed: Number(o.seed), badShare: Number(o.bad), places },
        o.format as 'csv',
      );
      process.stdout.write(`已生成：\n  ${files.registry}\n  ${files.annualReport}\n  ${files.roster}\n`);
    }),
  );

const KEY_REMINDER = (config: ReturnType<typeof loadConfig>) =>
  config.dataKey
    ? '主密钥在环境变量 XGZ_DATA_KEY 中，须另行妥善备份（与数据分开保存）；丢失主密钥即无法解密身份证号、手机号等数据。'
    : `主密钥文件 ${path.join(config.dataDir, 'keys', 'master.key')} 须另行妥善备份（与数据分开保存）；丢失主密钥即无法解密身份证号、手机号等数据。`;

program
  .command('backup <file> [verifyFile]')
  .description(
    '备份：内置数据库写成 .tar.gz（须先停止服务）；--pg 用 pg_dump 备份 PostgreSQL；xgz backup verify 文件 只校验备份',
  )
  .option('--pg', '用 pg_dump 备份 DATABASE_URL 指向的 PostgreSQL 数据库（可在服务运行时执行）')
  .action(async (file: string, verifyFile: string | undefined, o: { pg?: boolean }) => {
    const config = loadConfig();
    if (file === 'verify') {
      if (!verifyFile) fail('用法：xgz backup verify 备份文件');
      const target = path.resolve(verifyFile);
      const head = fs.existsSync(target) ? fs.readFileSync(target).subarray(0, 5).toString('latin1') : '';
      if (head === 'PGDMP') {
        const v = verifyPostgresDump(target);
        process.stdout.write(
          `备份完好：PostgreSQL pg_dump 备份，${v.tables} 张表的数据可读到结尾（${(v.bytes / 1048576).toFixed(1)} MB）\n`,
        );
      } else {
        const v = await verifyPgliteArchive(target);
        process.stdout.write(
          `备份完好：XGZ 内置数据库，数据库结构版本 ${v.schemaVersion}，${v.users} 个账号，${v.auditRecords} 条审计记录，${v.files} 个文件，读到结尾无误（${(v.bytes / 1048576).toFixed(1)} MB）\n`,
        );
      }
      return;
    }
    if (verifyFile) fail(`多余的参数：${verifyFile}`);
    if (o.pg || config.databaseUrl) {
      if (!config.databaseUrl) fail('--pg 需要设置 DATABASE_URL');
      const bytes = backupPostgres(config.databaseUrl, path.resolve(file));
      process.stdout.write(
        `已用 pg_dump 备份到 ${path.resolve(file)}（${(bytes / 1048576).toFixed(1)} MB，已读回校验）。恢复方法见 README"PostgreSQL 的备份与恢复"。\n${KEY_REMINDER(config)}\n`,
      );
      return;
    }
    acquireDataDirLock(config.dataDir, 'backup');
    try {
      const bytes = await backupPglite(databaseOptions(config).pgliteDir!, path.resolve(file));
      await verifyPgliteArchive(path.resolve(file));
      process.stdout.write(
        `已备份到 ${path.resolve(file)}（${(bytes / 1048576).toFixed(1)} MB，已读回校验）。\n${KEY_REMINDER(config)}\n`,
      );
    } finally {
      releaseDataDirLock();
    }
  });

program
  .command('restore <file>')
  .description('从备份恢复内置数据库（须先停止服务）：先完整校验备份，校验不通过则现有数据不动；原数据目录改名保留')
  .action(async (file: string) => {
    const config = loadConfig();
    if (config.databaseUrl) fail('使用 PostgreSQL 服务器时请用 pg_restore 恢复（见 README"PostgreSQL 的备份与恢复"）');
    acquireDataDirLock(config.dataDir, 'restore');
    try {
      const { keptAt, info } = await restorePglite(path.resolve(file), databaseOptions(config).pgliteDir!);
      process.stdout.write(
        `已从 ${file} 恢复（数据库结构版本 ${info.schemaVersion}，${info.users} 个账号，${info.auditRecords} 条审计记录）。${keptAt ? `原数据保留在 ${keptAt}` : ''}\n须使用备份时的主密钥（${path.join(config.dataDir, 'keys')} 或 XGZ_DATA_KEY）才能解密个人信息。\n`,
      );
    } finally {
      releaseDataDirLock();
    }
  });

const imports = program.command('imports').description('导入任务：查看、取消、重新导入（进程中断的任务即时标为中断）');
imports
  .command('list')
  .description('最近的导入任务（先把进程已不在的"导入中"任务标为中断）')
  .option('--limit <n>', '条数', '20')
  .action((o: { limit: string }) =>
    withContext(async (ctx) => {
      const ended = await reclaimStaleImports(ctx.db);
      if (ended.length) process.stdout.write(`进程已不在的导入任务已标为中断：${ended.join('、')}\n`);
      const rows = await ctx.db
        .selectFrom('import_job')
        .select([
          'id',
          'kind',
          'file_name',
          'status',
          'rows_read',
          'rows_accepted',
          'rows_rejected',
          'error',
          'created_at',
        ])
        .orderBy('id', 'desc')
        .limit(Number(o.limit) || 20)
        .execute();
      const label = {
        queued: '排队',
        running: '导入中',
        done: '完成',
        failed: '失败/中断',
        cancelled: '已取消',
      } as const;
      for (const r of rows)
        process.stdout.write(
          `#${r.id}\t${label[r.status]}\t${r.kind}\t${r.file_name}\t读取 ${r.rows_read} 接受 ${r.rows_accepted} 拒绝 ${r.rows_rejected}${r.error ? `\t${r.error}` : ''}\n`,
        );
      if (!rows.length) process.stdout.write('没有导入任务\n');
    }, 'imports list'),
  );
imports
  .command('cancel <id>')
  .description('取消导入任务（进行中的在当前批次后停止；进程已不在的立即结束）')
  .action((id: string) =>
    withContext(async (ctx) => {
      await reclaimStaleImports(ctx.db);
      const j = await ctx.db
        .selectFrom('import_job')
        .select(['id', 'status'])
        .where('id', '=', Number(id))
        .executeTakeFirst();
      if (!j) fail(`导入任务 ${id} 不存在`);
      if (j.status === 'queued') {
        await ctx.db.transaction().execute(async (trx) => {
          await trx
            .updateTable('import_job')
            .set({ status: 'cancelled', cancel_requested: true, error: '已取消（命令行）', finished_at: new Date() })
            .where('id', '=', j.id)
            .where('status', '=', 'queued')
            .execute();
          await trx.deleteFrom('import_key').where('job_id', '=', j.id).execute();
        });
      } else if (j.status === 'running') {
        await ctx.db.updateTable('import_job').set({ cancel_requested: true }).where('id', '=', j.id).execute();
      } else {
        fail(`导入任务 ${id} 已结束（${j.status}），无需取消；可用 xgz imports rerun ${id} 重新导入`);
      }
      await recordAudit(ctx.db, SYSTEM, {
        action: 'import.cancel',
        objectType: 'import_job',
        objectId: j.id,
        detail: { via: 'cli' },
      });
      process.stdout.write(
        j.status === 'running' ? `已请求取消导入任务 ${id}：在当前批次结束后停止\n` : `已取消导入任务 ${id}\n`,
      );
    }, 'imports cancel'),
  );
imports
  .command('rerun <id>')
  .description('用同一文件重新导入一个已结束（完成、失败、中断或取消）的任务，在本进程中执行；结果与一次导完相同')
  .action((id: string) =>
    withContext(async (ctx) => {
      await reclaimStaleImports(ctx.db);
      const j = await ctx.db.selectFrom('import_job').selectAll().where('id', '=', Number(id)).executeTakeFirst();
      if (!j) fail(`导入任务 ${id} 不存在`);
      if (j.status === 'queued' || j.status === 'running')
        fail(`导入任务 ${id} 仍在进行（${j.status === 'queued' ? '排队' : '导入中'}）`);
      if (!fs.existsSync(j.file_path)) fail(`原文件已不在：${j.file_path}`);
      const n = await ctx.db
        .insertInto('import_job')
        .values({
          kind: j.kind,
          file_name: j.file_name,
          file_path: j.file_path,
          file_bytes: j.file_bytes,
          scope_key: j.scope_key,
          created_by: j.created_by,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(ctx.db, SYSTEM, {
        action: 'import.upload',
        objectType: 'import_job',
        objectId: n.id,
        detail: { rerunOf: j.id, via: 'cli' },
      });
      process.stdout.write(`重新导入：新任务 #${n.id}…\n`);
      await runImportJob(ctx, n.id);
      const done = await ctx.db.selectFrom('import_job').selectAll().where('id', '=', n.id).executeTakeFirstOrThrow();
      reportOutcome(done);
    }, 'imports rerun'),
  );

program.parseAsync(process.argv).catch((err: Error) => {
  if (err instanceof BackupError) fail(err.message);
  if (isConnectionError(err))
    fail(
      `无法连接数据库或连接中断（${(err as { code?: string }).code ?? err.message}）：本次操作未完成，已提交的部分保留；请确认数据库可用后重试`,
    );
  fail(err.message);
});
