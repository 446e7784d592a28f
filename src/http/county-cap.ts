import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { recordAudit } from '../db/audit-chain.js';
import { countPublicInWindow } from '../db/windows.js';
import { COUNTY_CAP_WINDOW_MS, overCap, refusalWorthALine } from '../domain/cases/county-cap.js';
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
 * processes: past the cap, 429 in Chinese, and the refusals audited (the first, then at each
 * doubling) under the county, where its auditor sees them. Every capped public door calls this.
 */
export async function countForCounty(
  db: Kysely<DB>,
  c: CountyCap,
  county: { code: string; scopeKey: string },
  ip: string,
): Promise<void> {
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
