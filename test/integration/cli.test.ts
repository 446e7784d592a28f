import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { compiled } from '../helpers/compiled.js';

const run = promisify(execFile);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-cli-'));
const env = { ...process.env, XGZ_DATA_DIR: dataDir, DATABASE_URL: '', XGZ_PASSWORD_ITERATIONS: '1000' };

async function xgz(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [compiled('src/cli.ts'), ...args], {
      env,
      timeout: 120_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

/**
 * The `xgz` command line on an embedded database in a data dir of its own. Each step is a process
 * that opens the embedded database: on a busy 2-core machine one test's steps took over a minute.
 */
describe('xgz CLI (embedded database)', { timeout: 300_000 }, () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('migrates, creates a user, and audit verify names the first record edited behind its back', async () => {
    expect((await xgz('migrate')).out).toMatch(/迁移已完成/);
    expect(fs.statSync(path.join(dataDir, 'keys', 'master.key')).mode & 0o777).toBe(0o600);
    const created = await xgz(
      'user',
      'create',
      '--username',
      'clerk',
      '--name',
      '县局',
      '--jurisdiction',
      '000000',
      '--roles',
      'viewer',
    );
    expect(created.out).toMatch(/已创建账号 clerk，初始密码：\S{14}/);
    expect(
      (
        await xgz(
          'user',
          'create',
          '--username',
          'both',
          '--name',
          'x',
          '--jurisdiction',
          '000000',
          '--roles',
          'sysadmin,auditor',
        )
      ).code,
    ).toBe(1);
    await xgz('user', 'reset-password', 'clerk');
    const ok = await xgz('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/审计链完整：共 2 条/);

    const pg = await PGlite.create(path.join(dataDir, 'pgdata'));
    const { rows } = await pg.query<{ id: number }>('SELECT id FROM audit_log ORDER BY id');
    await pg.query(`UPDATE audit_log SET actor_name = 'someone-else' WHERE id = $1`, [rows[1].id]);
    await pg.close();
    const bad = await xgz('audit', 'verify');
    expect(bad.code).toBe(2);
    expect(bad.out).toContain(`第一条异常记录编号 ${rows[1].id}`);
  });

  it('generates demo files and imports them from the command line with a report of rejected rows', async () => {
    const out = path.join(dataDir, 'demo');
    expect(
      (await xgz('demo', 'generate', '--entities', '60', '--seed', '3', '--bad', '0.2', '--out', out)).out,
    ).toMatch(/已生成/);
    const res = await xgz('import', 'registry', path.join(out, 'registry.csv'));
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/导入完成：读取 60 行，接受 \d+，拒绝 [1-9]\d*/);
    expect(fs.readFileSync(path.join(out, 'registry.csv.errors.csv'), 'utf8')).toMatch(/行号,列,值,原因/);
    expect((await xgz('import', 'annual-report', path.join(out, 'annual-report.csv'))).out).toMatch(/导入完成/);
    expect((await xgz('import', 'other', 'x.csv')).code).toBe(1);
  });

  it('imports an extract whose columns need a mapping (--mapping) and whose unused columns need acknowledging (--acknowledge)', async () => {
    const file = path.join(dataDir, '某区导出.csv');
    fs.writeFileSync(
      file,
      '统一社会信用代码,商户字号,组成形式,所属县区代码,备用号码\r\n92320102MA2PJK5F0A,命令行映射小吃店,个人经营,320102,13912345670\r\n',
    );
    const missing = await xgz('import', 'registry', file);
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/商户字号 → 不导入（无法识别的列）/);
    expect(missing.out).toMatch(/缺少必需的列：名称（name）。请用 --mapping 指定/);
    const mapping = path.join(dataDir, 'mapping.json');
    fs.writeFileSync(mapping, JSON.stringify({ name: '商户字号' }));
    const warned = await xgz('import', 'registry', file, '--mapping', mapping);
    expect(warned.code).toBe(1);
    expect(warned.out).toMatch(/以下列将不导入：列"备用号码"像手机号.*--acknowledge "备用号码"/);
    fs.writeFileSync(`${file}.errors.csv`, '上次的拒绝行'); // an earlier run's report
    const done = await xgz('import', 'registry', file, '--mapping', mapping, '--acknowledge', '备用号码');
    expect(done.out).toMatch(/商户字号 → 导入为"名称"/);
    expect(done.out).toMatch(/导入完成：读取 1 行，接受 1，拒绝 0/);
    expect(done.out).toMatch(/上次导入留下的 .*errors\.csv 已删除/);
    expect(fs.existsSync(`${file}.errors.csv`)).toBe(false);
  });

  it('backs up and restores the embedded database, keeping the replaced data aside', async () => {
    const file = path.join(dataDir, 'backup.tar.gz');
    expect((await xgz('backup', file)).out).toMatch(/已备份/);
    await xgz(
      'user',
      'create',
      '--username',
      'after_backup',
      '--name',
      'x',
      '--jurisdiction',
      '000000',
      '--roles',
      'viewer',
    );
    const restored = await xgz('restore', file);
    expect(restored.out).toMatch(/原数据保留在/);
    const pg = await PGlite.create(path.join(dataDir, 'pgdata'));
    const { rows } = await pg.query<{ username: string }>('SELECT username FROM app_user ORDER BY username');
    await pg.close();
    expect(rows.map((r) => r.username)).toEqual(['clerk']);
    expect((await xgz('restore', path.join(dataDir, 'missing.tar.gz'))).code).toBe(1);
  });
});
