import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Mapping } from '../../domain/import/plan.js';
import type { ImportKind } from '../../jobs/import/templates.js';

/** The import jobs' writes: a job queued (an upload, a re-run, an exchange batch, the command line), a cancel asked for. */
type Tx = Transaction<DB>;

/** A queued job for a stored file, as run with its column plan; the caller hands its id to the runner. */
export const addImportJob = (
  db: Kysely<DB>,
  v: {
    kind: ImportKind;
    fileName: string;
    filePath: string;
    fileBytes: number;
    scopeKey: string;
    createdBy: number | null;
    mapping: Mapping | null;
    sheet: string | null;
    /** The sheets the preview showed it would read together (a rerun keeps them), else null. */
    sheets?: string[] | null;
    /** A roster that is the full roster of the organizations it carries (checked by assertFullRoster). */
    fullRoster?: boolean;
  },
) =>
  db
    .insertInto('import_job')
    .values({
      kind: v.kind,
      file_name: v.fileName,
      file_path: v.filePath,
      file_bytes: v.fileBytes,
      scope_key: v.scopeKey,
      created_by: v.createdBy,
      mapping: v.mapping ? JSON.stringify(v.mapping) : null,
      sheet: v.sheet,
      sheets: v.sheets ?? null,
      full_roster: v.fullRoster ?? false,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

/** Asks the runner to stop a job (it stops after its current batch); returns the job as it now stands. */
export const requestCancel = (db: Tx, jobId: number) =>
  db
    .updateTable('import_job')
    .set({ cancel_requested: true })
    .where('id', '=', jobId)
    .returningAll()
    .executeTakeFirstOrThrow();
