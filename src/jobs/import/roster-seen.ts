import crypto from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';

/** A name as the seen table compares it: md5 of the name without any space (as SQL's md5(regexp_replace(name, '\s', '', 'g'))). */
export const nameHash = (name: string) => crypto.createHash('md5').update(name.replace(/\s/g, '')).digest('hex');

/** A row refused before it named a member: what still tells who it was about (a name), or where (an organization). */
export type Unnamed = { nameHash: string | null; org: string | null };

/**
 * Who a full-roster job saw, gathered batch by batch and written in the batch's own transaction to
 * import_roster_seen (migration 0084): what the job's successful end compares its organizations'
 * members with (features/discovery absent.ts). Only the batch in hand is held here; the file's
 * members are in the table, never in memory. A row the job refused still counts as seen: by its
 * key when it was read (a repeat, a refused name), else by its name or, without one, its organization.
 */
export class RosterSeen {
  private keys: string[] = [];
  private unnamed: Unnamed[] = [];

  constructor(
    private readonly nameAt: number | undefined,
    private readonly orgAt: number | undefined,
  ) {}

  /** A row refused before its key was known (unreadable, an unusable ID number …). */
  refusedCells(cells: string[]): void {
    const name = this.nameAt === undefined ? '' : (cells[this.nameAt] ?? '').trim();
    const org = this.orgAt === undefined ? '' : (cells[this.orgAt] ?? '').trim();
    if (name) this.unnamed.push({ nameHash: nameHash(name), org: null });
    else if (org) this.unnamed.push({ nameHash: null, org });
  }

  /** A row refused whose key was known (a repeat marked by an earlier error report). */
  refusedKey(key: string): void {
    this.keys.push(key);
  }

  /** What the batch in hand refused so far, handed to its writing; the next batch starts empty. */
  take(): { keys: string[]; unnamed: Unnamed[] } {
    const out = { keys: this.keys, unnamed: this.unnamed };
    this.keys = [];
    this.unnamed = [];
    return out;
  }
}

/** Records, in the batch's transaction, the members of these roster keys and the refused rows' names and organizations. */
export async function recordSeen(db: Transaction<DB>, jobId: number, keys: string[], unnamed: Unnamed[]) {
  if (keys.length)
    await sql`INSERT INTO import_roster_seen (job_id, member_id)
      SELECT ${jobId}, m.id FROM member m WHERE m.roster_key = ANY(${[...new Set(keys)]}::text[])`.execute(db);
  if (unnamed.length)
    await sql`INSERT INTO import_roster_seen (job_id, name_hash, org)
      SELECT ${jobId}, * FROM unnest(${unnamed.map((u) => u.nameHash)}::text[], ${unnamed.map((u) => u.org)}::text[])`.execute(
      db,
    );
}

/** A job's seen rows go when it ends, is handed back or is found dead (as its import_key rows do). */
export const clearSeen = (db: Kysely<DB> | Transaction<DB>, jobId: number) =>
  db.deleteFrom('import_roster_seen').where('job_id', '=', jobId).execute();
