import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { turns } from '../../http/event-loop.js';
import type { AppContext } from '../../http/context.js';
import type { DB } from '../../db/schema.js';
import { runScoped } from '../../db/scoped.js';
import type { Principal } from '../../db/audit-chain.js';
import { encryptField } from '../../crypto/field.js';
import type { Keys } from '../../crypto/keys.js';
import { maskIdNumber, maskPhone } from '../../domain/identifiers/id-number.js';
import {
  EXCEL_CUT_COLUMN_MESSAGE,
  ID_NUMBER_FIELDS,
  WithheldTally,
  leavesRoster,
  leftUnknownMessage,
  type AnnualReportRow,
  type RegistryRow,
  type RosterRow,
} from '../../domain/ledger/rows.js';
import { CUT_WINDOW, ExcelCutColumns } from '../../domain/import/normalise.js';
import { cellsOfFields } from '../../domain/import/plan.js';
import { fastAnnualReport } from '../../domain/ledger/fast-rows.js';
import { rowLabel } from '../../domain/ledger/sheets.js';
import { recordTransfersOut, rosterKey, writeRosterBatch } from './writers/roster.js';
import { personRefusals } from './persons-check.js';
import { FileKeys, keyHashOf } from './file-keys.js';
import { headerOf, headerScore, likelierKind, mapHeaders, otherListOf, type ImportKind } from './templates.js';
import { CountyResolver, type County } from '../../domain/import/county.js';
import { writeRegistryBatch, type IdentityChange, type Numbered } from './writers/registry.js';
import { writeAnnualReportBatch } from './writers/annual-report.js';
import { writeCreditBatch } from './writers/credit.js';
import { auditExitEffects } from '../../features/exit/index.js';
import { followVisitPlans } from '../../features/worktasks/index.js';
import { CREDIT_LISTS, isCreditKind, type CreditRow } from '../../domain/ledger/credit-rows.js';
import { followImportBatch, raiseRosterAbsences } from '../../features/discovery/index.js';
import type { Scoped } from '../../db/scoped.js';
import { RosterSeen, clearSeen, recordSeen, type Unnamed } from './roster-seen.js';
import {
  footerNote,
  hiddenColumnsNote,
  hiddenRowsNote,
  sectionTitlesNote,
  titleYearNote,
} from '../../domain/import/footer.js';
import {
  DEFAULT_LIMITS,
  SourceError,
  firstReadProblem,
  dataRows,
  type TitleRow,
  shownCell,
  type SourceLimits,
  readHidden,
} from './sources.js';
import { isConnectionError } from '../../db/connection.js';
import { myLease, startHeartbeat } from './lease.js';
import { StoredFileError, openPlain } from './stored-file.js';
import { openPicked, pickSheet } from './sheets.js';
import { ROW_SCHEMAS, fillFromFile } from './row-check.js';
import {
  AUTHORITY_HEADERS,
  STATION_HEADERS,
  STREET_HEADERS,
  cellByHeader,
  deriveStation,
  type StationPlace,
  type StationRule,
} from '../../domain/ledger/station.js';
import { serviceLapse, type ServiceLapse } from '../../domain/auth/service.js';
import {
  DUPLICATE_MARK_HEADER,
  duplicateAgainReason,
  duplicateKey,
  readDuplicateMark,
} from '../../domain/ledger/import-marks.js';

/**
 * A refused row. scope: the jurisdiction the row belongs to when known (null: the job's own);
 * dupKey: for a repeat of an earlier row's key, the key's tag and the row that kept it.
 */
export type Rejection = {
  rowNo: number;
  col: string | null;
  value: string | null;
  reason: string;
  raw?: Record<string, string>;
  scope?: string | null;
  dupKey?: string;
};
type Row = RegistryRow | AnnualReportRow | RosterRow | CreditRow;
/** An accepted row: its cells as read (the error report's copy is made from them only if the row is refused later) and its natural key. */
/** cols: the columns a row's fields were read from where not their own (cellsOfFields), by field. */
type Accepted = Numbered<Row> & { cells: string[]; key: string; cols?: Map<string, string> };

export type ImportOptions = {
  batchSize?: number;
  limits?: SourceLimits;
  /** Called after each committed batch (tests use it to kill a run half-way). */
  afterBatch?: (batchNo: number) => void | Promise<void>;
  /** Asked after each committed batch: true stops the run there (shutdown hands the job back) with an Interrupted error. */
  shouldStop?: () => boolean;
  /**
   * The cases-follow hook after each batch (default true). Only the import bench turns it off, to
   * measure what the hook costs within one run (issue 15); every real import runs it.
   */
  followCases?: boolean;
  /** The bench's window on the hook: the milliseconds it took, added up over the batches. */
  followSpent?: { ms: number };
  /** Slots of the per-file duplicate check's in-memory table (default MAX_SLOTS); tests make it small to reach import_key. */
  keySlots?: number;
};

/** The tables an import of each kind writes, whose planner statistics must follow them. */
const WRITTEN: Record<ImportKind, string> = {
  registry: 'entity, entity_person, person, entity_zone, zone',
  annual_report: 'annual_report',
  roster: 'member, person',
  abnormal_list: 'credit_listing',
  untrustworthy_list: 'credit_listing',
};

/** The run was stopped between batches at the runner's request (or the database went away): the job is not finished. */
export class Interrupted extends Error {}

const PERSONAL = new Set(['repIdNumber', 'liaisonIdNumber', 'repPhone', 'liaisonPhone', 'idNumber', 'phone']);
const maskValue = (field: string, v: string) =>
  !PERSONAL.has(field) ? v : /phone/i.test(field) ? maskPhone(v) : maskIdNumber(v);

/** A short tag of a key (8 hex of its MD5), written into the error report's 重复标记. */
const keyTag = (key: string) => crypto.createHash('md5').update(key).digest('hex').slice(0, 8);

/** The natural key a row is unique on within a file (and upserted on). */
function keyOf(kind: ImportKind, r: Row, keys: Keys): string {
  if (kind === 'roster') return rosterKey(keys, r as RosterRow);
  if (isCreditKind(kind))
    return `${(r as CreditRow).uscc ?? `R${(r as CreditRow).regNo}`}|${(r as CreditRow).listedOn}`;
  const e = r as RegistryRow | AnnualReportRow;
  return kind === 'annual_report'
    ? `${e.uscc ?? `R${e.regNo}`}|${(e as AnnualReportRow).year}`
    : (e.uscc ?? `R${e.regNo}`);
}

/** Jurisdiction nodes under the job's scope: what county and station codes a row may name. */
async function placesIn(db: Kysely<DB>, scopeKey: string) {
  const rows = await db
    .selectFrom('jurisdiction')
    .select(['code', 'level', 'parent_code', 'scope_key', 'name'])
    .where(sql<boolean>`starts_with(scope_key, ${scopeKey})`)
    .where('level', 'in', ['city', 'county', 'station'])
    .execute();
  const withStations = new Set(rows.filter((r) => r.level === 'county').map((r) => r.parent_code));
  return new Map(rows.filter((r) => r.level !== 'city' || !withStations.has(r.code)).map((r) => [r.code, r]));
}
type Places = Awaited<ReturnType<typeof placesIn>>;

/** The stations under the job's scope and the counties' keyword rules: what a row without a station is placed by. */
async function stationsIn(
  db: Kysely<DB>,
  scopeKey: string,
): Promise<{ stations: StationPlace[]; rules: StationRule[] }> {
  const stations = await db
    .selectFrom('jurisdiction')
    .select(['code', 'parent_code', 'name', 'served_areas'])
    .where('level', '=', 'station')
    .where(sql<boolean>`starts_with(scope_key, ${scopeKey})`)
    .execute();
  const rules = await db
    .selectFrom('station_rule')
    .select(['county_code', 'keyword', 'station_code'])
    .where(sql<boolean>`starts_with(scope_key, ${scopeKey})`)
    .execute();
  return {
    stations: stations.map((s) => ({
      code: s.code,
      countyCode: s.parent_code!,
      name: s.name,
      servedAreas: s.served_areas,
    })),
    rules: rules.map((r) => ({ countyCode: r.county_code, keyword: r.keyword, stationCode: r.station_code })),
  };
}

/** The jurisdiction a row names (its station within its county, else the county), when it is one under the job. */
function scopeNamed(
  places: Places | null,
  countyCode: string | undefined,
  stationCode: string | undefined,
): string | null {
  if (!places || !countyCode) return null;
  const county = places.get(countyCode.trim());
  if (!county || county.level === 'station') return null;
  const station = stationCode ? places.get(stationCode.trim()) : undefined;
  return station && station.parent_code === county.code ? station.scope_key : county.scope_key;
}

/**
 * The sheet(s) a workbook job reads: those the preview showed it would read together, else the
 * one chosen at upload, else (pickSheet) the error report's 待修正数据, the only data sheet or
 * every data sheet of one header; a workbook whose sheets differ leaves the choice to the user.
 */
async function sheetsOf(
  job: { sheet: string | null; sheets: string[] | null; file_path: string },
  score: (cells: string[]) => number,
): Promise<{ sheet: string | null } | { sheets: string[] }> {
  if (job.sheets?.length) return { sheets: job.sheets };
  const picked = await pickSheet(job.file_path, job.sheet, score);
  if ('ask' in picked) throw new SourceError(picked.problem);
  return picked;
}

/**
 * The counties 登记机关 may name: those of the uploader's province (all, for a national account),
 * cities without counties counted as counties, each with its city's name.
 */
async function countiesNear(db: Kysely<DB>, scopeKey: string): Promise<Map<string, County>> {
  const rows = await sql<{ code: string; name: string; parent_name: string | null }>`
    SELECT j.code, j.name, p.name AS parent_name FROM jurisdiction j LEFT JOIN jurisdiction p ON p.code = j.parent_code
    WHERE starts_with(j.scope_key, ${scopeKey.slice(0, 2)}) AND (j.level = 'county' OR (j.level = 'city' AND NOT EXISTS (SELECT 1 FROM jurisdiction c WHERE c.parent_code = j.code AND c.level = 'county')))`.execute(
    db,
  );
  return new Map(rows.rows.map((r) => [r.code, { code: r.code, name: r.name, parentName: r.parent_name }]));
}

/** The provinces other than the uploader's, by name: a 登记机关 there is outside any county the uploader may file under. */
async function provincesElsewhere(db: Kysely<DB>, scopeKey: string): Promise<string[]> {
  if (scopeKey.length < 2) return [];
  const rows = await db
    .selectFrom('jurisdiction')
    .select('name')
    .where('level', '=', 'province')
    .where(sql<boolean>`NOT starts_with(scope_key, ${scopeKey.slice(0, 2)})`)
    .execute();
  return rows.map((r) => r.name);
}

/** What makes two rows of a kind one: said when the second is refused as a repeat. */
const SAME: Record<ImportKind, string> = {
  registry: '同一主体',
  annual_report: '同一主体同一年度',
  roster: '同一党员：身份证号相同，或无身份证号而姓名、出生日期相同',
  abnormal_list: '同一主体同一列入日期',
  untrustworthy_list: '同一主体同一列入日期',
};

const rawOf = (headers: string[], cells: string[]) =>
  Object.fromEntries(headers.map((h, i) => [h || `第${i + 1}列`, shownCell(cells[i] ?? '')]));

/**
 * Runs one import job to its end: streams the file, validates each row with the shared row
 * schema, and writes accepted rows in batches, each batch one scoped transaction together with
 * its rejections and the job's progress, so a batch is written whole or not at all. Re-running
 * a file (after a kill, or twice) ends in the same state: every write is an upsert on natural keys.
 */
export async function runImportJob(ctx: AppContext, jobId: number, opts: ImportOptions = {}): Promise<void> {
  const { db } = ctx;
  // XGZ_IMPORT_BATCH_ROWS: smaller batches for the fault suite's kill -9 of a CLI import (more points to kill between).
  const batchSize = opts.batchSize ?? (Number(process.env.XGZ_IMPORT_BATCH_ROWS) || 5000);
  const job = await db
    .selectFrom('import_job as j')
    .leftJoin('app_user as u', 'u.id', 'j.created_by')
    .selectAll('j')
    .select('u.username')
    .where('j.id', '=', jobId)
    .executeTakeFirstOrThrow();
  const who: Principal = {
    userId: job.created_by,
    username: job.username ?? 'system',
    scopeKey: job.scope_key,
    ip: null,
  };
  await db
    .updateTable('import_job')
    .set({
      status: 'running',
      started_at: new Date(),
      error: null,
      footer: null,
      withheld: null,
      lease_owner: myLease(),
      heartbeat_at: new Date(),
      absent_members: null,
      members_left: job.kind === 'roster' ? 0 : null,
    })
    .where('id', '=', jobId)
    .execute();
  // A full roster's members are compared at its successful end with those it saw (roster-seen.ts).
  const fullRoster = job.kind === 'roster' && job.full_roster;
  if (fullRoster) await clearSeen(db, jobId);
  const heartbeat = startHeartbeat(db, jobId);
  const totals = { read: 0, accepted: 0, rejected: 0, changed: 0, membersLeft: 0 };
  let batchNo = 0;
  let plain: { path: string; dispose: () => void } | null = null;
  try {
    const ended = await creatorEnded(db, job.created_by);
    if (ended) throw new SourceError(ended);
    plain = await openPlain(ctx.keys, job.file_path);
    const score = (cells: string[]) => headerScore(job.kind, cells);
    const source = await openPicked(
      plain.path,
      job.file_name,
      opts.limits ?? DEFAULT_LIMITS,
      score,
      await sheetsOf({ ...job, file_path: plain.path }, score),
    );
    const { sheets } = source;
    // Its refusals and notes name each row's sheet from here (rowLabel).
    if (sheets) await db.updateTable('import_job').set({ sheets }).where('id', '=', jobId).execute();
    const plan = mapHeaders(job.kind, source.headers, [], job.mapping ?? {}, source.titleLines);
    const { index, missing, ignored } = plan;
    if (missing.length)
      throw new SourceError(
        otherListOf(plan, likelierKind(job.kind, plan, source.headers), source.headers) ??
          `缺少必需的列：${missing.map((m) => m.label).join('、')}。请在"数据导入"页为这些项选择文件中的列（可保存为来源配置），或使用下载的模板`,
      );
    // Registry rows name their county and station; an annual report's county is in its USCC (characters 3–8).
    const places = job.kind !== 'roster' ? await placesIn(db, job.scope_key) : null;
    const registryPlaces = job.kind === 'registry' ? places : null;
    const counties = registryPlaces
      ? new CountyResolver(
          await countiesNear(db, job.scope_key),
          (code) => registryPlaces.get(code)?.level === 'county' || registryPlaces.get(code)?.level === 'city',
          await provincesElsewhere(db, job.scope_key),
          job.scope_key,
        )
      : null;
    // A county clerk's (or a station's) imports belong to that county.
    const uploaderCounty =
      registryPlaces &&
      job.scope_key.length >= 6 &&
      registryPlaces.get(job.scope_key.slice(0, 6))?.level !== 'station' &&
      registryPlaces.has(job.scope_key.slice(0, 6))
        ? job.scope_key.slice(0, 6)
        : null;
    const namedScope = (v: { countyCode?: string; stationCode?: string; uscc?: string }) =>
      job.kind === 'registry'
        ? scopeNamed(places, v.countyCode, v.stationCode)
        : scopeNamed(places, v.uscc?.trim().toUpperCase().slice(2, 8), undefined);
    const placing = job.kind === 'registry' ? await stationsIn(db, job.scope_key) : null;
    const schema = ROW_SCHEMAS[job.kind];
    const headerOfField = new Map([...index].map(([f, i]) => [f, source.headers[i]]));
    const fields = [...index];
    // A row's cells by header, for the error report (a row without a problem cell has nothing to
    // clean: the reader flags U+FFFD and NUL). Made only for a row that is refused.
    // A year read from the title goes in as a column: the report's rows, put right and imported
    // again, have no title to give it.
    const titled = plan.fromTitle ? { [headerOf(job.kind, 'year')]: plan.fromTitle.year } : {};
    const plainRaw = (cells: string[]): Record<string, string> => ({
      ...Object.fromEntries(source.headers.map((h, i) => [h || `第${i + 1}列`, cells[i] ?? ''])),
      ...titled,
    });
    // The error report's 重复标记 column (the last of that name, as the report's raw copy keeps it).
    const markAt = source.headers.map((h, i) => h || `第${i + 1}列`).lastIndexOf(DUPLICATE_MARK_HEADER);
    const colOf = (field: string) =>
      index.has(field) ? { header: source.headers[index.get(field)!], at: index.get(field)! } : null;
    const [countyCol, authorityCol, usccCol, regNoCol, addressCol] = [
      colOf('countyCode'),
      colOf('authority'),
      colOf('uscc'),
      colOf('regNo'),
      colOf('address'),
    ];
    /** Facts a row does not state but the file does (fillFromFile), and a registry row's county. */
    const mapped = (field: string) => index.has(field);
    const prepare = (input: Record<string, string>, cells: string[]): Omit<Rejection, 'rowNo'> | null => {
      fillFromFile(job.kind, input, mapped, plan.fromTitle);
      if (job.kind !== 'registry') return null;
      const r = counties!.resolve({
        uploaderCounty,
        column: countyCol ? { header: countyCol.header, value: cells[countyCol.at] ?? '' } : null,
        authority: authorityCol ? { header: authorityCol.header, value: cells[authorityCol.at] ?? '' } : null,
        code:
          usccCol && input.uscc
            ? { header: usccCol.header, value: input.uscc.replace(/\s/g, '') }
            : regNoCol && input.regNo
              ? { header: regNoCol.header, value: input.regNo.replace(/\s/g, '') }
              : null,
        address: addressCol ? { header: addressCol.header, value: cells[addressCol.at] ?? '' } : null,
      });
      if (!r.ok) return r;
      input.countyCode = r.code;
      return null;
    };

    const fileKeys = new FileKeys(jobId, opts.keySlots);
    const seen = fullRoster ? new RosterSeen(index.get('name'), index.get('orgRelation')) : null;
    const withheld = new WithheldTally();
    // The ID columns are judged for Excel's cut over the rows read so far, the first CUT_WINDOW before any.
    const idColumns = ID_NUMBER_FIELDS.filter(mapped).map((f) => [f, index.get(f)!] as const);
    const cut = new ExcelCutColumns();
    const seeIds = ({ cells }: { cells: string[] }) => {
      const read = cellsOfFields(plan, cells).cells;
      for (const [f, i] of idColumns) cut.see(f, read[i] ?? '');
    };
    const cutField = (input: Record<string, string>) => idColumns.find(([f]) => cut.isCut(f, input[f]))?.[0];
    let changedAtAnalyze = 0;
    let batch: Accepted[] = [];
    let rejects: Rejection[] = [];
    // One batch is written while the next is parsed and validated: with a database server the
    // two run on different cores. Batches still commit one after another, in file order.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      const [full, bad, refused] = [batch, rejects, seen?.take() ?? null];
      batch = [];
      rejects = [];
      await writing;
      writing = (async () => {
        const { accepted, changed, left, rejected } = await writeBatch(
          ctx,
          job.kind,
          jobId,
          who,
          full,
          bad,
          fileKeys,
          places,
          namedScope,
          plainRaw,
          (f) => headerOfField.get(f) ?? null,
          { on: opts.followCases ?? true, spent: opts.followSpent },
          refused,
          sheets,
        );
        totals.accepted += accepted;
        totals.changed += changed;
        totals.rejected += rejected.size;
        if (job.kind === 'roster') totals.membersLeft += left;
        await db
          .updateTable('import_job')
          .set({
            rows_read: totals.read,
            rows_accepted: totals.accepted,
            rows_rejected: totals.rejected,
            rows_changed: totals.changed,
            ...(job.kind === 'roster' ? { members_left: totals.membersLeft } : {}),
            bytes_read: source.bytesRead(),
          })
          .where('id', '=', jobId)
          .execute();
        // The statistics follow the tables while they grow (after batches 1, 2, 4, 8, …): planned for
        // the table's size before the import, the writer's and the triggers' lookups turned into a
        // scan of the whole table per batch once it had grown (a 5M-row annual-report import into an
        // empty table spent two thirds of its server time so; autovacuum, when there is one, analyses
        // on its own schedule, not the import's).
        if ((++batchNo & (batchNo - 1)) === 0 && changedAtAnalyze < totals.changed) {
          changedAtAnalyze = totals.changed;
          await sql`ANALYZE ${sql.raw(WRITTEN[job.kind])}`.execute(db);
        }
        await opts.afterBatch?.(batchNo);
        const j = await db
          .selectFrom('import_job')
          .select('cancel_requested')
          .where('id', '=', jobId)
          .executeTakeFirstOrThrow();
        if (j.cancel_requested) throw new Cancelled();
        if (opts.shouldStop?.()) throw new Interrupted('stopped between batches');
      })();
      writing.catch(() => {}); // surfaced by the next await
    };

    /** Rows titling the group under them (a branch's name above its members): not data. */
    const titles: TitleRow[] = [];
    const rows = idColumns.length ? lookAhead(source.rows, CUT_WINDOW, seeIds) : source.rows;
    // The rows are read, checked and sealed synchronously while the file's chunks are buffered: the
    // server's other requests get their turns (a batch once held them for 0.8 s).
    const turn = turns();
    for await (const sourceRow of dataRows(rows, ignored, titles, source)) {
      await turn();
      const { rowNo, cells } = sourceRow;
      totals.read++;
      const bad = firstReadProblem(sourceRow, ignored);
      if (bad) {
        const raw = { ...rawOf(source.headers, cells), ...titled };
        const col = source.headers[bad.index] || `第${bad.index + 1}列`;
        rejects.push({ rowNo, col, value: null, reason: bad.reason, raw });
        seen?.refusedCells(cells);
        if (batch.length + rejects.length >= batchSize) await flush();
        continue;
      }
      // A field's blank cell is read from its alternate column (a mixed extract's 经营者 beside 法定代表人).
      const { cells: read, from } = cellsOfFields(plan, cells);
      const cols = from ? new Map([...from].map(([f, i]) => [f, source.headers[i]])) : undefined;
      const colOfRow = (field: string) => cols?.get(field) ?? headerOfField.get(field);
      const input: Record<string, string> = {};
      for (const [field, i] of fields) input[field] = read[i] ?? '';
      const derived = prepare(input, read);
      if (derived) {
        rejects.push({ rowNo, ...derived, raw: plainRaw(cells) });
        if (batch.length + rejects.length >= batchSize) await flush();
        continue;
      }
      // The usual row takes the schema's compiled fast path; any other goes through the schema.
      const quick = job.kind === 'annual_report' ? fastAnnualReport(input) : undefined;
      const parsed = quick ? { success: true as const, data: quick } : schema.safeParse(input);
      const cutAt = parsed.success ? cutField(input) : undefined;
      if (!parsed.success) {
        const raw = plainRaw(cells);
        seen?.refusedCells(cells);
        const said = new Set<string>();
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0] ?? '');
          if (said.has(field)) continue;
          said.add(field);
          const col = colOfRow(field) ?? (field === 'countyCode' ? (authorityCol?.header ?? null) : null);
          rejects.push({
            rowNo,
            col,
            value: input[field] ? maskValue(field, input[field]) : null,
            reason: issue.message,
            raw: said.size === 1 ? raw : undefined,
            scope: namedScope(input),
          });
        }
      } else if (cutAt) {
        seen?.refusedCells(cells);
        rejects.push({
          rowNo,
          col: colOfRow(cutAt) ?? null,
          value: maskValue(cutAt, input[cutAt]),
          reason: EXCEL_CUT_COLUMN_MESSAGE,
          raw: plainRaw(cells),
          scope: namedScope(input),
        });
      } else {
        const row = parsed.data as Row;
        const placeProblem =
          job.kind === 'registry'
            ? checkPlaces(row as RegistryRow, places!, cols ? new Map([...headerOfField, ...cols]) : headerOfField)
            : null;
        const mark = markAt >= 0 ? readDuplicateMark(cells[markAt] ?? '') : null;
        const key = placeProblem ? '' : keyOf(job.kind, row, ctx.keys);
        if (placeProblem)
          rejects.push({
            rowNo,
            ...placeProblem,
            raw: plainRaw(cells),
            scope: scopeNamed(places, input.countyCode, undefined),
          });
        else if (mark && keyTag(key) === mark.tag) {
          // A repeat refused before, imported again from the error report: still a repeat.
          const r = row as RegistryRow;
          seen?.refusedKey(key);
          rejects.push({
            rowNo,
            col: DUPLICATE_MARK_HEADER,
            value: null,
            reason: duplicateAgainReason(job.kind, mark.keptRow),
            raw: plainRaw(cells),
            scope: namedScope(r),
            dupKey: duplicateKey(mark.tag, mark.keptRow),
          });
        } else {
          if (placing && !(row as RegistryRow).stationCode) {
            const r = row as RegistryRow;
            const raw = plainRaw(cells);
            const found = deriveStation(
              r.countyCode,
              {
                station: cellByHeader(raw, STATION_HEADERS),
                authority: cellByHeader(raw, AUTHORITY_HEADERS),
                street: cellByHeader(raw, STREET_HEADERS),
                address: r.address,
              },
              placing.stations,
              placing.rules,
            );
            if (found) {
              r.stationCode = found.stationCode;
              r.stationDerived = true;
            }
          }
          withheld.add(job.kind, input, row as { phone?: string });
          batch.push({ rowNo, row, cells, key, ...(cols && { cols }) });
        }
      }
      if (batch.length + rejects.length >= batchSize) await flush();
    }
    await flush();
    await writing;
    // PGlite has no autovacuum: refresh the planner's statistics after a bulk change.
    if (totals.changed > 0) await sql`ANALYZE ${sql.raw(WRITTEN[job.kind])}`.execute(db);
    const notes = [
      titleYearNote(plan.fromTitle),
      sectionTitlesNote(titles, undefined, sheets),
      footerNote(source.footer(), undefined, sheets),
      hiddenRowsNote(source.hiddenRows(), undefined, sheets),
      hiddenColumnsNote(readHidden(plan, source)),
    ].filter((n) => n !== null);
    await finish(
      ctx,
      jobId,
      who,
      'done',
      null,
      totals,
      { footer: notes.join('；') || null, withheld: withheld.note((f) => headerOfField.get(f) ?? f) },
      fullRoster ? (s) => raiseRosterAbsences(s, { id: jobId, scopeKey: job.scope_key }) : undefined,
    );
  } catch (err) {
    // Not the job's fault: it stays 'running' under this process's lease for the caller to hand
    // back (or, if this process dies, for the next one to end as interrupted).
    if (err instanceof Interrupted || isConnectionError(err)) throw err;
    if (err instanceof Cancelled)
      return finish(ctx, jobId, who, 'cancelled', '已取消：此前各批已导入的数据保留，可重新导入同一文件补齐', totals);
    const known = err instanceof SourceError || err instanceof StoredFileError;
    const message = known ? err.message : `导入出错：${(err as Error).message}`;
    await finish(ctx, jobId, who, 'failed', message, totals);
    if (!known) throw err;
  } finally {
    heartbeat.stop();
    plain?.dispose();
  }
}

class Cancelled extends Error {}

const LAPSE_WORD: Record<ServiceLapse, string> = {
  revoked: '已吊销',
  expired: '已过期',
  unconfirmed: '待业务部门重新确认',
};

/**
 * Why a job's account may no longer import, or null: disabled, or a service account revoked,
 * expired or sent back for confirmation since it queued the job. A job waits in the queue behind
 * others (and a delivery's job is queued as its body ends): a leaked token's batch, revoked in the
 * meantime, was imported (round 21). A job with no account (the command line) runs.
 */
async function creatorEnded(db: Kysely<DB>, userId: number | null): Promise<string | null> {
  if (userId === null) return null;
  const u = await db
    .selectFrom('app_user as u')
    .leftJoin('service_account as s', 's.user_id', 'u.id')
    .select(['u.disabled', 'u.is_service', 's.revoked_at', 's.expires_at', 's.confirmed_at'])
    .where('u.id', '=', userId)
    .executeTakeFirst();
  if (!u) return null;
  if (!u.is_service) return u.disabled ? '发起导入的账号已停用，任务未执行：请由本辖区其他工作人员重新导入' : null;
  const lapse = u.expires_at === null ? 'expired' : serviceLapse({ ...u, expires_at: u.expires_at });
  return lapse && `报送该批次的服务账号${LAPSE_WORD[lapse]}，任务未执行：确认账号后重新报送`;
}

/** The rows, each seen as it is read, the first `n` held back until all of them have been seen. */
async function* lookAhead<T>(rows: AsyncIterable<T>, n: number, see: (row: T) => void): AsyncGenerator<T> {
  const ahead: T[] = [];
  for await (const row of rows) {
    see(row);
    if (ahead.length >= n) yield row;
    else if (ahead.push(row) === n) yield* ahead;
  }
  if (ahead.length < n) yield* ahead;
}

function checkPlaces(
  r: RegistryRow,
  places: Map<string, { level: string; parent_code: string | null }>,
  headerOf: Map<string, string>,
): Omit<Rejection, 'rowNo'> | null {
  const county = places.get(r.countyCode);
  if (!county || county.level === 'station')
    return {
      col: headerOf.get('countyCode') ?? null,
      value: r.countyCode,
      reason: `县区代码"${r.countyCode}"不存在或不在您的辖区内`,
    };
  if (r.stationCode) {
    const station = places.get(r.stationCode);
    if (!station || station.parent_code !== r.countyCode)
      return {
        col: headerOf.get('stationCode') ?? null,
        value: r.stationCode,
        reason: `基层所"${r.stationCode}"不存在或不属于县区 ${r.countyCode}`,
      };
  }
  return null;
}

async function writeBatch(
  ctx: AppContext,
  kind: ImportKind,
  jobId: number,
  who: Principal,
  batch: Accepted[],
  rejects: Rejection[],
  fileKeys: FileKeys,
  places: Places | null,
  namedScope: (v: { countyCode?: string; stationCode?: string; uscc?: string }) => string | null,
  plainRaw: (cells: string[]) => Record<string, string>,
  colOf: (field: string) => string | null,
  follow: { on: boolean; spent?: { ms: number } },
  /** A full roster's batch: the rows it refused before their key was known, and keys of rows refused so (else null). */
  refused: { keys: string[]; unnamed: Unnamed[] } | null,
  /** The sheets the job reads together (its row numbers are references), else null. */
  sheets: readonly string[] | null,
) {
  const rowScope = (b: Accepted) => namedScope(b.row as { countyCode?: string; stationCode?: string; uscc?: string });
  // Within the batch: the first row with a key wins.
  const first = new Map<string, number>();
  let fresh: Accepted[] = [];
  for (const b of batch) {
    const k = b.key;
    const at = first.get(k);
    if (at !== undefined)
      rejects.push({
        rowNo: b.rowNo,
        col: null,
        value: null,
        reason: `与${rowLabel(at, sheets)}重复（${SAME[kind]}），保留${rowLabel(at, sheets)}`,
        raw: plainRaw(b.cells),
        scope: rowScope(b),
        dupKey: duplicateKey(keyTag(k), at),
      });
    else {
      first.set(k, b.rowNo);
      fresh.push(b);
    }
  }
  // Entities already registered under another jurisdiction cannot be changed from this one.
  if (kind === 'registry' && fresh.length) {
    const codes = fresh.map((b) => (b.row as RegistryRow).uscc ?? (b.row as RegistryRow).regNo!);
    const foreign = await ctx.db
      .selectFrom('entity')
      .select(['uscc', 'reg_no', 'scope_key'])
      .where((eb) => eb.or([eb('uscc', 'in', codes), eb('reg_no', 'in', codes)]))
      .where(sql<boolean>`NOT starts_with(scope_key, ${who.scopeKey})`)
      .execute();
    const blocked = new Set(foreign.flatMap((f) => [f.uscc, f.reg_no]).filter(Boolean));
    fresh = fresh.filter((b) => {
      if (!blocked.has((b.row as RegistryRow).uscc ?? (b.row as RegistryRow).regNo!)) return true;
      rejects.push({
        rowNo: b.rowNo,
        col: null,
        value: null,
        reason: '该主体登记在其他辖区，不能由本辖区导入修改',
        raw: plainRaw(b.cells),
      });
      return false;
    });
  }
  return runScoped(ctx.db, who, async (scoped) => {
    const { db, audit } = scoped;
    let accepted = fresh;
    if (fresh.length) {
      // Keys an earlier batch had: the rows that had them first are kept.
      const firstRow = await fileKeys.check(
        db,
        fresh.map((b) => ({ hash: keyHashOf(b.key), rowNo: b.rowNo })),
      );
      if (firstRow.size) {
        fresh.forEach((b, i) => {
          const at = firstRow.get(i);
          if (at !== undefined)
            rejects.push({
              rowNo: b.rowNo,
              col: null,
              value: null,
              reason: `与${rowLabel(at, sheets)}重复，保留${rowLabel(at, sheets)}`,
              raw: plainRaw(b.cells),
              scope: rowScope(b),
              dupKey: duplicateKey(keyTag(b.key), at),
            });
        });
        accepted = fresh.filter((_, i) => !firstRow.has(i));
      }
    }
    if (accepted.length && (kind === 'registry' || kind === 'roster')) {
      const refused = await personRefusals(
        db,
        ctx.keys,
        kind,
        accepted.map((b) => b.row as RegistryRow | RosterRow),
      );
      for (const x of refused) {
        const b = accepted[x.index];
        rejects.push({
          rowNo: b.rowNo,
          col: b.cols?.get(x.field) ?? colOf(x.field),
          value: null,
          reason: x.reason,
          raw: plainRaw(b.cells),
          scope: rowScope(b),
        });
      }
      const mismatched = refused.filter((x) => x.field !== 'idNumber').length;
      if (mismatched)
        audit({
          action: 'person.name_mismatch',
          objectType: 'import_job',
          objectId: jobId,
          outcome: 'denied',
          detail: { rows: mismatched },
        });
      const gone = new Set(refused.map((x) => x.index));
      accepted = accepted.filter((_, i) => !gone.has(i));
    }
    let changed = 0;
    let left = 0; // members recorded 已转出
    let leftMembers: number[] = [];
    let identity: IdentityChange[] = [];
    let entityIds: number[] | undefined; // the entities whose rows the batch changed, when the writer returns them
    const area = new Map<string, { accepted: number; rejected: number }>();
    const tally = (scope: string, accepted: number, rejected: number) => {
      const a = area.get(scope) ?? { accepted: 0, rejected: 0 };
      a.accepted += accepted;
      a.rejected += rejected;
      area.set(scope, a);
    };
    if (accepted.length && kind === 'registry') {
      const scopeOf = (code: string) => places!.get(code)!.scope_key;
      ({ changed, identity } = await writeRegistryBatch(db, ctx.keys, accepted as Numbered<RegistryRow>[], scopeOf));
      for (const b of accepted)
        tally(scopeOf((b.row as RegistryRow).stationCode ?? (b.row as RegistryRow).countyCode), 1, 0);
    } else if (accepted.length && kind === 'roster') {
      // Rows saying the member left record it on the member held here; one held nowhere here is refused.
      const rows = accepted as (Accepted & Numbered<RosterRow>)[];
      const out = await recordTransfersOut(
        db,
        ctx.keys,
        rows.filter((b) => leavesRoster(b.row)),
        who.scopeKey,
      );
      for (const b of out.unknown) {
        const said = b.row.leftOn ? 'transferredOutOn' : 'memberStatus';
        rejects.push({
          rowNo: b.rowNo,
          col: b.cols?.get(said) ?? colOf(said),
          value: null,
          reason: leftUnknownMessage(b.row),
          raw: plainRaw(b.cells),
        });
      }
      if (out.members.length)
        audit({
          action: 'member.transferred_out',
          objectType: 'import_job',
          objectId: jobId,
          detail: { memberStatus: 'transferred_out', members: out.members },
        });
      left = out.members.length;
      leftMembers = out.members;
      const unknown = new Set<Accepted>(out.unknown);
      accepted = accepted.filter((b) => !unknown.has(b));
      changed =
        (await writeRosterBatch(
          db,
          ctx.keys,
          rows.filter((b) => !leavesRoster(b.row)),
          who.scopeKey,
        )) + out.changed;
      tally(who.scopeKey, accepted.length, 0);
    } else if (accepted.length && isCreditKind(kind)) {
      const res = await writeCreditBatch(db, CREDIT_LISTS[kind], accepted as Numbered<CreditRow>[]);
      changed = res.changed;
      for (const [scope, n] of Object.entries(res.byScope)) tally(scope, n, 0);
      const unknown = new Set(res.unknownRows);
      for (const b of accepted)
        if (unknown.has(b.rowNo))
          rejects.push({
            rowNo: b.rowNo,
            col: null,
            value: (b.row as CreditRow).uscc ?? (b.row as CreditRow).regNo ?? null,
            reason: '台账中没有这个主体（或不在您的辖区内），请先导入其登记信息',
            raw: plainRaw(b.cells),
            scope: rowScope(b),
          });
      accepted = accepted.filter((b) => !unknown.has(b.rowNo));
    } else if (accepted.length) {
      const res = await writeAnnualReportBatch(db, accepted as Numbered<AnnualReportRow>[]);
      entityIds = res.entityIds;
      changed = res.changed;
      for (const [scope, n] of Object.entries(res.byScope)) tally(scope, n, 0);
      const unknown = new Set(res.unknownRows);
      for (const b of accepted)
        if (unknown.has(b.rowNo))
          rejects.push({
            rowNo: b.rowNo,
            col: null,
            value: (b.row as AnnualReportRow).uscc ?? (b.row as AnnualReportRow).regNo ?? null,
            reason: '台账中没有这个主体（或不在您的辖区内），请先导入其登记信息',
            raw: plainRaw(b.cells),
            scope: rowScope(b),
          });
      accepted = accepted.filter((b) => !unknown.has(b.rowNo));
    }
    // A status or listing the batch changed has suspended plaques and flagged honours: audited with this job as the cause.
    if (changed && (kind === 'registry' || isCreditKind(kind)))
      await auditExitEffects(db, audit, { type: 'import_job', id: jobId, kind });
    // The running visit plans that name the batch's entities follow their status (a 注销 needs no visit).
    if (changed && kind === 'registry') {
      const codes = accepted.map((b) => (b.row as RegistryRow).uscc ?? (b.row as RegistryRow).regNo!);
      await followVisitPlans(
        scoped,
        { id: who.userId, name: who.username ?? '系统' },
        () => entityIdsOf(db, codes),
        new Date(),
      );
    }
    // Per-batch hook: the cases of what the batch touched follow it (features/discovery).
    if (follow.on && accepted.length && !isCreditKind(kind)) {
      const t0 = performance.now();
      await followImportBatch(
        scoped,
        { id: jobId, kind },
        kind === 'roster'
          ? { rosterKeys: accepted.map((b) => b.key), memberIds: leftMembers }
          : entityIds
            ? { entityIds }
            : { entityCodes: accepted.map((b) => (b.row as RegistryRow).uscc ?? (b.row as RegistryRow).regNo!) },
      );
      if (follow.spent) follow.spent.ms += performance.now() - t0;
    }
    // Every row of a full roster's batch was seen, accepted or not (a refused row's member is not absent).
    if (refused) await recordSeen(db, jobId, [...batch.map((b) => b.key), ...refused.keys], refused.unnamed);
    if (rejects.length) {
      await sql`INSERT INTO import_rejection (job_id, row_no, col, value, reason, raw_enc, scope_key, dup_key)
        SELECT ${jobId}, * FROM unnest(${rejects.map((r) => r.rowNo)}::int[], ${rejects.map((r) => r.col)}::text[], ${rejects.map((r) => r.value)}::text[],
          ${rejects.map((r) => r.reason)}::text[], ${rejects.map((r) => (r.raw ? encryptField(ctx.keys, JSON.stringify(r.raw)) : null))}::text[],
          ${rejects.map((r) => r.scope ?? null)}::text[], ${rejects.map((r) => r.dupKey ?? null)}::text[])`.execute(db);
      const rowScopes = new Map<number, string>();
      for (const r of rejects) if (!rowScopes.has(r.rowNo) || r.scope) rowScopes.set(r.rowNo, r.scope ?? who.scopeKey);
      for (const scope of rowScopes.values()) tally(scope, 0, 1);
    }
    if (identity.length) {
      await sql`INSERT INTO import_change (job_id, row_no, entity_id, scope_key, field, before, after)
        SELECT ${jobId}, * FROM unnest(${identity.map((c) => c.rowNo)}::int[], ${identity.map((c) => c.entityId)}::bigint[], ${identity.map((c) => c.scopeKey)}::text[],
          ${identity.map((c) => c.field)}::text[], ${identity.map((c) => c.before)}::text[], ${identity.map((c) => c.after)}::text[])`.execute(
        db,
      );
    }
    if (area.size) {
      const scopes = [...area.keys()];
      await sql`INSERT INTO import_job_area AS a (job_id, scope_key, rows_accepted, rows_rejected)
        SELECT ${jobId}, * FROM unnest(${scopes}::text[], ${scopes.map((k) => area.get(k)!.accepted)}::int[], ${scopes.map((k) => area.get(k)!.rejected)}::int[])
        ON CONFLICT (job_id, scope_key) DO UPDATE SET rows_accepted = a.rows_accepted + EXCLUDED.rows_accepted, rows_rejected = a.rows_rejected + EXCLUDED.rows_rejected`.execute(
        db,
      );
    }
    return { accepted: accepted.length, changed, left, rejected: new Set(rejects.map((r) => r.rowNo)) };
  });
}

/** The entities named by these USCCs or registration numbers, as the caller sees them. */
async function entityIdsOf(db: Scoped['db'], codes: string[]): Promise<number[]> {
  const res = await sql<{ id: number }>`SELECT id FROM entity WHERE uscc = ANY(${codes}::text[])
    UNION SELECT id FROM entity WHERE reg_no = ANY(${codes}::text[])`.execute(db);
  return res.rows.map((r) => Number(r.id));
}

async function finish(
  ctx: AppContext,
  jobId: number,
  who: Principal,
  status: 'done' | 'failed' | 'cancelled',
  error: string | null,
  {
    membersLeft,
    ...totals
  }: { read: number; accepted: number; rejected: number; changed: number; membersLeft: number },
  notes: { footer: string | null; withheld: string | null } = { footer: null, withheld: null },
  /** What a successful end does in the same transaction as marking the job done (a full roster's absent members): a count. */
  atEnd?: (s: Scoped) => Promise<number>,
) {
  await runScoped(ctx.db, who, async (s) => {
    const { db, audit } = s;
    const absent = status === 'done' && atEnd ? await atEnd(s) : null;
    await db.deleteFrom('import_key').where('job_id', '=', jobId).execute();
    await clearSeen(db, jobId);
    await db
      .updateTable('import_job')
      .set({ status, error, ...notes, absent_members: absent, finished_at: new Date(), lease_owner: null })
      .where('id', '=', jobId)
      .execute();
    audit({
      action: 'import.run',
      objectType: 'import_job',
      objectId: jobId,
      outcome: status === 'done' ? 'success' : 'failure',
      detail: {
        status,
        ...totals,
        error,
        ...(absent !== null ? { absentMembers: absent } : {}),
        ...(membersLeft ? { membersLeft } : {}),
      },
    });
  });
}
