import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { recordAudit } from '../db/audit-chain.js';
import { countPublicInWindow } from '../db/windows.js';
import { clientKey } from '../domain/auth/client-address.js';
import { COUNTY_CAP_WINDOW_MS, addressShare, overCap, refusalWorthALine } from '../domain/cases/county-cap.js';
import { Problem } from './errors.js';

/** One public door's daily cap per county: its count's bucket, its refusal's audit action and answer. */
export type CountyCap = {
  /** The public_window bucket, one per door. */
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

/**
 * One more submission for the county's day, counted in the database across all addresses and
 * processes, each address within its share of the cap (domain/cases/county-cap.ts): past either,
 * 429 in Chinese; the county's refusals audited (the first, then at each doubling) under the
 * county, where its auditor sees them. Every capped public door calls this.
 */
export async function countForCounty(
  db: Kysely<DB>,
  c: CountyCap,
  county: { code: string; scopeKey: string },
  ip: string,
): Promise<void> {
  // The address's share first: past it, refused without spending the county's count (round 13).
  const share = addressShare(c.cap);
  const mine = await countPublicInWindow(
    db,
    `${c.bucket}.address`,
    `${county.code} ${clientKey(ip)}`,
    COUNTY_CAP_WINDOW_MS,
  );
  if (mine.used > share)
    throw new Problem(
      429,
      '今日提交过多',
      `本网络地址今天向该县（区）提交已达 ${share} 条，请明天再提交，或直接联系所在地市场监管所`,
      undefined,
      'county_cap_address_limit',
    );
  const count = await countPublicInWindow(db, c.bucket, county.code, COUNTY_CAP_WINDOW_MS);
  const over = overCap(count.used, c.cap);
  if (!over) return;
  if (refusalWorthALine(over))
    await recordAudit(
      db,
      { userId: null, username: c.actor, scopeKey: county.scopeKey, ip },
      {
        action: c.action,
        objectType: 'jurisdiction',
        objectId: county.code,
        outcome: 'denied',
        detail: { limit: c.cap, refused: over },
      },
    );
  throw new Problem(429, c.title, c.detail(c.cap), undefined, c.code);
}
