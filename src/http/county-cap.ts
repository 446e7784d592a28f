import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { recordAudit, type Principal } from '../db/audit-chain.js';
import { runScoped, type Scoped } from '../db/scoped.js';
import { countPublicInWindow } from '../db/windows.js';
import { clientKey } from '../domain/auth/client-address.js';
import { COUNTY_CAP_WINDOW_MS, addressShare, overCap, refusalWorthALine } from '../domain/cases/county-cap.js';
import { Problem } from './errors.js';

/** One public door's daily cap per county: its count's bucket, its refusal's audit action and answer. */
export type CountyCap = {
  /** The public_window bucket, one per door (listed in xgz_take_capped_place, migration 0260). */
  bucket: string;
  /** The audit action of a refused submission (features/audit/actions.ts names it). */
  action: string;
  /** Who the audit line names (the public at this door). */
  actor: string;
  cap: number;
  /** The 429's title, detail (given the cap) and code, in Chinese. */
  title: string;
  detail: (cap: number) => string;
  code: string;
};

type County = { code: string; scopeKey: string };

/** Thrown inside the writing transaction when the county's day is full, answered after its rollback. */
class CountyFull extends Error {}

/** One place of a capped bucket, taken in the writing transaction (its row stays locked until it ends). */
async function takePlace(tx: Transaction<DB>, bucket: string, key: string): Promise<number> {
  const { rows } = await sql<{ used: number }>`
    SELECT xgz_take_capped_place(${bucket}, ${key}, ${COUNTY_CAP_WINDOW_MS / 1000}) AS used`.execute(tx);
  return rows[0].used;
}

/**
 * Writes one public submission within the county's daily cap, counted in the database across all
 * addresses and processes, each address within its share of the cap (domain/cases/county-cap.ts).
 * The places are taken in the transaction that writes the submission (round 14): a write that fails
 * gives its places back with its rollback, and concurrent submissions wait on the county's count, so
 * the cap holds exactly. Everything that can refuse the submission is checked before this is called.
 * Past either limit, 429 in Chinese; the county's refusals audited (the first, then at each doubling)
 * under the county, where its auditor sees them. Every capped public door writes through this.
 */
export async function writeWithinCountyCap<T>(
  db: Kysely<DB>,
  c: CountyCap,
  county: County,
  who: Principal,
  write: (s: Scoped) => Promise<T>,
): Promise<T> {
  try {
    return await runScoped(db, who, async (s) => {
      // The address's share first: past it, refused without spending the county's count (round 13).
      const share = addressShare(c.cap);
      if ((await takePlace(s.db, `${c.bucket}.address`, `${county.code} ${clientKey(who.ip ?? '')}`)) > share)
        throw new Problem(
          429,
          '今日提交过多',
          `本网络地址今天向该县（区）提交已达 ${share} 条，请明天再提交，或直接联系所在地市场监管所`,
          undefined,
          'county_cap_address_limit',
        );
      if (overCap(await takePlace(s.db, c.bucket, county.code), c.cap)) throw new CountyFull();
      return write(s);
    });
  } catch (e) {
    if (e instanceof CountyFull) await refuse(db, c, county, who.ip);
    throw e;
  }
}

/** The county's day is full: the refusal counted (on its own, as the place was rolled back), audited at each doubling, and 429. */
async function refuse(db: Kysely<DB>, c: CountyCap, county: County, ip: string | null): Promise<never> {
  const refused = await countPublicInWindow(db, `${c.bucket}.refused`, county.code, COUNTY_CAP_WINDOW_MS);
  if (refusalWorthALine(refused.used))
    await recordAudit(
      db,
      { userId: null, username: c.actor, scopeKey: county.scopeKey, ip },
      {
        action: c.action,
        objectType: 'jurisdiction',
        objectId: county.code,
        outcome: 'denied',
        detail: { limit: c.cap, refused: refused.used },
      },
    );
  throw new Problem(429, c.title, c.detail(c.cap), undefined, c.code);
}
