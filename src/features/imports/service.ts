import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { Problem, badRequest, conflict, notFound } from '../../http/errors.js';
import { maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import { cellsOfFields, type ColumnPlan, type Mapping } from '../../domain/import/plan.js';
import {
  footerNote,
  hiddenColumnsNote,
  hiddenRowsNote,
  sectionTitlesNote,
  titleYearNote,
} from '../../domain/import/footer.js';
import { readHidden } from '../../jobs/import/sources.js';
import {
  DEFAULT_LIMITS,
  firstReadProblem,
  dataRows,
  type TitleRow,
  shownCell,
  type SourceRow,
} from '../../jobs/import/sources.js';
import { checkRow, fillFromFile } from '../../jobs/import/row-check.js';
import { openPicked, pickSheet } from '../../jobs/import/sheets.js';
import { openPlain, writeEncrypted } from '../../jobs/import/stored-file.js';
import type { Keys } from '../../crypto/keys.js';
import {
  headerScore,
  likelierKind,
  mapHeaders,
  otherListOf,
  TEMPLATES,
  type ImportKind,
} from '../../jobs/import/templates.js';
import { rowPlace } from '../../domain/ledger/sheets.js';
import type { Preview } from './contract.js';

/** What an upload may be called: the reader then goes by the bytes (an .xlsx named .csv is read as a workbook). */
export const UPLOAD_EXTENSIONS = ['.xlsx', '.xlsb', '.xls', '.et', '.ods', '.xml', '.csv', '.txt'];
export const UPLOAD_REFUSED =
  '只支持 .xlsx、Excel 二进制工作簿（.xlsb）、.xls（含 WPS 的 .et）、OpenDocument 表格（.ods）、Excel 2003 XML 表格（.xml）、.csv 或 .txt 文件';

/**
 * Uploads an account may hold unstarted. Each may be as large as an import file and would be kept
 * for the retention period, so an account (or a stolen session) could otherwise fill the disk by
 * previewing; a clerk previews a file or two before starting one, so the oldest beyond this go.
 */
export const HELD_UPLOADS_PER_ACCOUNT = 5;

/**
 * Uploads waiting for their column plan to be confirmed: the file under the data directory,
 * named for the user who sent it (only they can preview or start it), with its original name beside.
 * Storing one removes the account's oldest unstarted uploads beyond HELD_UPLOADS_PER_ACCOUNT.
 */
export async function storeUpload(
  keys: Keys,
  dir: string,
  userId: number,
  stream: Readable,
  fileName: string,
): Promise<{ upload: string; file: string; bytes: number }> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const upload = `u${userId}-${crypto.randomBytes(8).toString('hex')}`;
  const ext = path.extname(fileName).toLowerCase();
  const file = path.join(dir, `${upload}${UPLOAD_EXTENSIONS.includes(ext) ? ext : '.csv'}`);
  // Encrypted with the data key like every kept import file (see stored-file.ts).
  const bytes = await writeEncrypted(keys, stream, file);
  fs.writeFileSync(
    path.join(dir, `${upload}.json`),
    JSON.stringify({ fileName: fileName.slice(0, 200), file, bytes }),
    { mode: 0o600 },
  );
  for (const old of heldUploads(dir, userId).slice(HELD_UPLOADS_PER_ACCOUNT)) {
    const meta = path.join(dir, `${old}.json`);
    const held = (JSON.parse(fs.readFileSync(meta, 'utf8')) as { file: string }).file;
    fs.rmSync(held, { force: true });
    forgetUpload(dir, old);
  }
  return { upload, file, bytes };
}

/** The account's unstarted uploads (starting one forgets it), newest first. */
function heldUploads(dir: string, userId: number): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(`u${userId}-`) && n.endsWith('.json'))
    .map((n) => ({ upload: n.slice(0, -'.json'.length), at: fs.statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
    .map((u) => u.upload);
}

export function findUpload(
  dir: string,
  userId: number,
  upload: string,
): { file: string; fileName: string; bytes: number } {
  if (!upload.startsWith(`u${userId}-`)) throw notFound('上传的文件');
  const meta = path.join(dir, `${upload}.json`);
  if (!fs.existsSync(meta)) throw notFound('上传的文件');
  const { file, fileName, bytes } = JSON.parse(fs.readFileSync(meta, 'utf8')) as {
    file: string;
    fileName: string;
    bytes: number;
  };
  if (!fs.existsSync(file)) throw notFound('上传的文件');
  return { file, fileName, bytes };
}

export const forgetUpload = (dir: string, upload: string) =>
  fs.rmSync(path.join(dir, `${upload}.json`), { force: true });

/**
 * An upload taken for one start: its note is renamed aside at once, before anything is awaited
 * (a rename is atomic, across processes too), so a second start of the same upload at the same
 * moment (a double click, two tabs) finds it taken (409) instead of queueing a second job over the
 * same file. `forget` once the job is queued; `restore` if the start failed, so the clerk can map
 * the columns and start again.
 */
export function claimUpload(dir: string, userId: number, upload: string) {
  const meta = path.join(dir, `${upload}.json`);
  const taken = `${meta}.starting`;
  const starting = () => upload.startsWith(`u${userId}-`) && fs.existsSync(taken);
  if (!fs.existsSync(meta) && starting()) throw conflict('该文件已在开始导入，请勿重复提交');
  const up = findUpload(dir, userId, upload);
  try {
    fs.renameSync(meta, taken);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (starting()) throw conflict('该文件已在开始导入，请勿重复提交');
    throw notFound('上传的文件');
  }
  return {
    ...up,
    forget: () => fs.rmSync(taken, { force: true }),
    restore: () => fs.renameSync(taken, meta),
  };
}

const PERSONAL = /IdNumber$|^idNumber$|Phone$|^phone$/;
/** A roster's party facts about a person are personal data too: the preview says only that they are filled. */
const PARTY = new Set([
  'membership',
  'joinDate',
  'confirmedOn',
  'transferredInOn',
  'transferredOutOn',
  'memberStatus',
  'lostFlag',
  'abroadFlag',
  'mobileFlag',
  'orgRelation',
  'orgRelationCode',
]);
const mask = (kind: ImportKind, field: string, v: string) =>
  !v
    ? v
    : kind === 'roster' && PARTY.has(field)
      ? '（已填写）'
      : !PERSONAL.test(field)
        ? v
        : /phone/i.test(field)
          ? maskPhone(v.replace(/\s/g, ''))
          : maskIdNumber(v.replace(/\s/g, ''));

/**
 * A value shown as it will be stored rather than as written: a date (43586, 2019年5月1日), a phone
 * (025-84561234-801, 0086 139…) and a name (a 个体工商户 without a 字号 is named by its operator; a
 * person's name as it is kept, 王\u3000芳 as 王芳); words (存续, 个体工商户) stay as written, their stored
 * codes mean nothing to a clerk.
 */
const shownAsStored = (field: string, stored: string) =>
  /^\d{4}-\d{2}(-\d{2})?$/.test(stored) || /phone/i.test(field) || field === 'name' || /Name$/.test(field);

/**
 * One of the first rows as the import will take it: its cells by field (masked; dates and phones as
 * they will be stored, see shownAsStored) and what would refuse it, judged on the
 * row alone (checkRow: its county is found by the import). A reason quotes its own field's value,
 * so a value the preview masks is masked there too.
 */
function sampleRow(
  kind: ImportKind,
  {
    index,
    ignored,
    fromTitle,
    alternates,
    addressParts,
  }: Pick<ColumnPlan, 'index' | 'ignored' | 'fromTitle' | 'alternates' | 'addressParts'>,
  headers: string[],
  row: SourceRow,
  sheets: string[] | null,
): Preview['sample'][number] {
  // A field's blank cell read from its alternate column, as the import reads it.
  const { cells, from } = cellsOfFields({ index, alternates, addressParts }, row.cells);
  // A problem names the file's own column (the one its value came from), as the error report does.
  const label = (field: string) =>
    (from?.has(field) && headers[from.get(field)!]) ||
    (index.has(field) && headers[index.get(field)!]) ||
    (TEMPLATES[kind].columns.find((c) => c.field === field)?.header ?? field);
  const raw = (field: string) => shownCell(cells[index.get(field) ?? -1] ?? '');
  const input = Object.fromEntries([...index].map(([f, i]) => [f, cells[i] ?? '']));
  fillFromFile(kind, input, (f) => index.has(f), fromTitle);
  const { problems, read } = checkRow(kind, input);
  const values: Record<string, string> = {};
  for (const f of index.keys()) {
    const stored = read?.[f];
    values[f] = mask(kind, f, typeof stored === 'string' && shownAsStored(f, stored) ? stored : raw(f));
  }
  const bad = firstReadProblem(row, ignored);
  const unreadable = bad && {
    field: [...index].find(([, i]) => i === bad.index)?.[0] ?? '',
    label: headers[bad.index] || `第${bad.index + 1}列`,
    reason: bad.reason,
  };
  return {
    ...rowPlace(row.rowNo, sheets),
    values,
    problems: [
      ...(unreadable ? [unreadable] : []),
      // The cell the reader could not take is told once, as the import tells it: a check of its
      // text would quote the reader's marks (成立日期"2020.1\u0000\u0003"不是有效日期). A row the
      // reader takes for no data (a 合计 amid the rows) is told that alone, as the import refuses it.
      ...(bad?.wholeRow ? [] : problems)
        .filter((p) => p.field !== unreadable?.field)
        .map((p) => ({
          field: p.field,
          label: label(p.field),
          reason: maskedReason(p.reason, raw(p.field), values[p.field]),
        })),
    ],
  };
}

/**
 * A reason quoting its field's written value, with the value as the preview shows it: the quoted
 * value only ("党员" inside 党员类别 or 正式党员 stays), everywhere when the reason does not quote it.
 */
function maskedReason(reason: string, written: string, shown: string): string {
  const w = written.trim();
  if (!w || w === shown) return reason;
  return reason.includes(`"${w}"`) ? reason.replaceAll(`"${w}"`, `"${shown}"`) : reason.replaceAll(w, shown);
}

/** Reads the header and the first rows: the column plan, and the rows as the import would take them. */
export async function previewFile(
  keys: Keys,
  kind: ImportKind,
  upload: string,
  file: string,
  fileName: string,
  userMapping: Mapping,
  sheet?: string | null,
  rows = 5,
): Promise<Preview> {
  const plain = await openPlain(keys, file);
  const sample: SourceRow[] = [];
  let cut = false; // the sample stopped before the file's end: its footer is not known
  const titles: TitleRow[] = [];
  let source: Awaited<ReturnType<typeof openPicked>>;
  let chosen: { sheet: string | null } | { sheets: string[] };
  try {
    const score = (cells: string[]) => headerScore(kind, cells);
    chosen = await sheetFor(plain.path, sheet ?? undefined, score);
    source = await openPicked(plain.path, fileName, DEFAULT_LIMITS, score, chosen);
    const { ignored } = mapHeaders(kind, source.headers, [], userMapping);
    try {
      for await (const r of dataRows(source.rows, ignored, titles, source)) {
        sample.push(r);
        if (sample.length >= rows) {
          cut = true;
          break;
        }
      }
    } finally {
      source.close();
    }
  } finally {
    plain.dispose();
  }
  const plan = mapHeaders(
    kind,
    source.headers,
    sample.map((s) => s.cells),
    userMapping,
    source.titleLines,
  );
  const t = TEMPLATES[kind];
  const likelier = likelierKind(
    kind,
    plan,
    source.headers,
    sample.map((s) => s.cells),
  );
  return {
    upload,
    fileName,
    sheet: 'sheet' in chosen ? chosen.sheet : null,
    sheets: source.sheets,
    format: source.format,
    encoding: source.encoding,
    headerRowNo: source.headerRowNo,
    headers: source.headers,
    columns: plan.columns,
    fields: t.columns.map((c) => ({
      field: c.field,
      label: c.header,
      required: !!c.required || (t.oneOf.length > 1 && t.oneOf.includes(c.field)),
      column: plan.index.has(c.field) ? source.headers[plan.index.get(c.field)!] : null,
    })),
    missing: plan.missing,
    warnings: plan.warnings,
    likelierKind: likelier,
    otherList: otherListOf(plan, likelier, source.headers),
    sample: sample.map((s) => sampleRow(kind, plan, source.headers, s, source.sheets)),
    footer:
      [
        titleYearNote(plan.fromTitle, '将用于'),
        sectionTitlesNote(titles, '将不导入', source.sheets),
        cut ? null : footerNote(source.footer(), '将不导入', source.sheets),
      ]
        .filter((n) => n !== null)
        .join('；') || null,
    hiddenRows:
      [
        hiddenRowsNote(source.hiddenRows(), '导入时将一并导入', source.sheets),
        hiddenColumnsNote(readHidden(plan, source), '导入时将一并导入'),
      ]
        .filter((n) => n !== null)
        .join('；') || null,
    // What the import will run with: every field's column, and the fields the user chose to leave empty.
    mapping: {
      ...Object.fromEntries(Object.entries(userMapping).filter(([, h]) => h === '')),
      ...Object.fromEntries([...plan.index].map(([f, i]) => [f, source.headers[i]])),
    },
  };
}

/**
 * The worksheet(s) to read: the one asked for, else the error report's 待修正数据, else the only
 * one, else every data sheet when they share one header (`score` finds it); a workbook with
 * several others leaves the choice to the user (422 listing the sheets).
 */
export async function sheetFor(
  file: string,
  requested: string | undefined,
  score: (cells: string[]) => number,
): Promise<{ sheet: string | null } | { sheets: string[] }> {
  const picked = await pickSheet(file, requested, score);
  if (!('ask' in picked)) return picked;
  throw new Problem(
    422,
    '请选择工作表',
    picked.problem,
    picked.ask.map((n) => ({ field: 'sheet', message: n })),
    'sheet_required',
  );
}

/** The mapping to run with: a saved profile's, overridden field by field by the one sent. */
export async function mappingFor(
  db: Transaction<DB>,
  kind: ImportKind,
  profile: string | undefined,
  sent: Mapping | undefined,
): Promise<Mapping> {
  let base: Mapping = {};
  if (profile) {
    const p = await db
      .selectFrom('import_profile')
      .select('mapping')
      .where('kind', '=', kind)
      .where('name', '=', profile)
      .orderBy(sql`length(scope_key)`, 'desc')
      .executeTakeFirst();
    if (!p) throw badRequest(`没有名为"${profile}"的来源配置`, [{ field: 'profile', message: '来源配置不存在' }]);
    base = p.mapping;
  }
  return { ...base, ...(sent ?? {}) };
}

/** Refuses to start while a required field has no column or a warned column is not acknowledged. */
export function assertStartable(p: Preview, acknowledge: string[]): void {
  if (p.missing.length)
    throw badRequest(
      p.otherList ??
        `缺少必需的列：${p.missing.map((m) => m.label).join('、')}。请在列对应步骤中为这些项选择文件中的列`,
      p.missing.map((m) => ({ field: `mapping.${m.field}`, message: `请为"${m.label}"选择一列` })),
    );
  const open = p.warnings.filter((w) => !acknowledge.includes(w.header));
  if (open.length)
    throw badRequest(
      `以下列将不导入，请确认后再开始：${open.map((w) => w.reason).join('；')}`,
      open.map((w) => ({ field: 'acknowledge', message: w.reason })),
    );
}

/**
 * A file said to be a full roster must be a roster that names each member's organization: the
 * organizations it carries are those whose members it is compared with at its end.
 */
export function assertFullRoster(p: Preview, kind: ImportKind, full: boolean): void {
  if (!full) return;
  if (kind !== 'roster')
    throw badRequest('只有党员名册可标明为完整名册', [
      { field: 'fullRoster', message: '只有党员名册可标明为完整名册' },
    ]);
  if (!p.fields.some((f) => f.field === 'orgRelation' && f.column))
    throw badRequest('完整名册须有"所在党支部"（组织关系所在党组织）列：据此判断名册是哪些党组织的完整名册', [
      { field: 'mapping.orgRelation', message: '请为"所在党支部"选择一列，或不标明为完整名册' },
    ]);
}

export async function listProfiles(db: Transaction<DB>, kind: ImportKind | undefined) {
  let q = db.selectFrom('import_profile').select(['id', 'kind', 'name', 'mapping', 'updated_at']).orderBy('name');
  if (kind) q = q.where('kind', '=', kind);
  return (await q.execute()).map((p) => ({
    id: p.id,
    kind: p.kind,
    name: p.name,
    mapping: p.mapping,
    updatedAt: p.updated_at,
  }));
}

export async function saveProfile(
  db: Transaction<DB>,
  scopeKey: string,
  userId: number,
  kind: ImportKind,
  name: string,
  m: Mapping,
) {
  const known = new Set(TEMPLATES[kind].columns.map((c) => c.field));
  const bad = Object.keys(m).filter((f) => !known.has(f));
  if (bad.length)
    throw badRequest(
      '来源配置中有未知的项',
      bad.map((f) => ({ field: `mapping.${f}`, message: '未知的项' })),
    );
  const p = await db
    .insertInto('import_profile')
    .values({ kind, name, mapping: JSON.stringify(m), scope_key: scopeKey, created_by: userId })
    .onConflict((oc) =>
      oc.columns(['scope_key', 'kind', 'name']).doUpdateSet({ mapping: JSON.stringify(m), updated_at: new Date() }),
    )
    .returning(['id', 'kind', 'name', 'mapping', 'updated_at'])
    .executeTakeFirstOrThrow();
  return { id: p.id, kind: p.kind, name: p.name, mapping: p.mapping, updatedAt: p.updated_at };
}

export async function deleteProfile(db: Transaction<DB>, id: number): Promise<string> {
  const p = await db.deleteFrom('import_profile').where('id', '=', id).returning('name').executeTakeFirst();
  if (!p) throw notFound('来源配置');
  return p.name;
}
