import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll } from 'vitest';
import { previewFile } from '../../src/features/imports/service.js';
import { runImportJob, type ImportOptions } from '../../src/jobs/import/pipeline.js';
import { testApp, type TestApp } from './app.js';
import type { Backend } from './db.js';

export const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'xgz-imp-'));

/**
 * What a clerk's probe of real exports (extracts-round*.test.ts) starts from, inside its describe
 * block: the app on the backend (`probe.t`, there once the block's tests run), a county editor of
 * 320102, a directory for the files, and the files written and previewed as the clerk's are.
 */
export function clerkProbe(backend: Backend) {
  const probe = {
    t: undefined as unknown as TestApp,
    clerk: { id: 0, scopeKey: '320102' },
    dir: tmpDir(),
    /** Lines written as a GBK CSV, as Excel's "CSV (逗号分隔)" saves on a Chinese Windows. */
    gbkCsv: (name: string, lines: string[]) => {
      const file = path.join(probe.dir, name);
      fs.writeFileSync(file, iconv.encode(`${lines.join('\r\n')}\r\n`, 'gbk'));
      return file;
    },
    preview: (kind: 'registry' | 'roster', file: string, rows = 10) =>
      previewFile(probe.t.ctx.keys, kind, 'u1', file, path.basename(file), {}, undefined, rows),
  };
  beforeAll(async () => {
    probe.t = await testApp(backend);
    probe.clerk.id = (await probe.t.user({ roles: ['editor'], jurisdiction: probe.clerk.scopeKey })).id;
  });
  afterAll(() => probe.t?.close());
  return probe;
}

/** Writes rows (header → cell) as a CSV file, quoting every cell: UTF-8, or GB18030 (as Excel's "CSV (逗号分隔)" on a Chinese Windows saves, GBK being its subset). */
export function csvFile(
  dir: string,
  name: string,
  rows: Record<string, string>[],
  encoding: 'utf8' | 'gb18030' = 'utf8',
): string {
  const headers = Object.keys(rows[0]);
  const q = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const text =
    [headers.map(q).join(','), ...rows.map((r) => headers.map((h) => q(r[h] ?? '')).join(','))].join('\r\n') + '\r\n';
  const file = path.join(dir, name);
  fs.writeFileSync(file, encoding === 'utf8' ? text : iconv.encode(text, 'gb18030'));
  return file;
}

/** Creates a job for a file as the given user (at their scope) and runs it to the end (fullRoster: a roster given as full). */
export async function importFile(
  t: TestApp,
  kind: 'registry' | 'annual_report' | 'roster' | 'abnormal_list' | 'untrustworthy_list',
  file: string,
  user: { id: number; scopeKey: string },
  opts: ImportOptions & { fullRoster?: boolean } = {},
) {
  const job = await t.db
    .insertInto('import_job')
    .values({
      kind,
      file_name: path.basename(file),
      file_path: file,
      file_bytes: fs.statSync(file).size,
      scope_key: user.scopeKey,
      created_by: user.id,
      full_roster: opts.fullRoster ?? false,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await runImportJob(t.ctx, job.id, opts);
  const done = await t.db.selectFrom('import_job').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
  const rejections = await t.db
    .selectFrom('import_rejection')
    .selectAll()
    .where('job_id', '=', job.id)
    .orderBy('row_no')
    .execute();
  return { job: done, rejections };
}
