import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { countInWindow, countPublicInWindow } from '../db/windows.js';
import { claimArea, type HeavyKind } from '../db/work-under-way.js';
import { Problem } from './errors.js';
import { localDateTime } from '../domain/time/zone.js';

/**
 * The works a bureau starts that read its whole area in one go (round 15: setup proposals, 5.5 s
 * for a county and 12 s for a province on the demo; round 16: the dashboard's snapshots, 1.8-3.6 s
 * for a province, and a report, about 2 s): what each is called in the answers, and how many an
 * account may start in a minute. A report is prepared again as each child submits, so ten; the
 * others give the same result for the same data, so one.
 */
const WORK: Record<HeavyKind, { what: string; verb: string; perMinute: number }> = {
  proposals: { what: '组建建议', verb: '生成', perMinute: 1 },
  snapshot: { what: '数据看板快照', verb: '生成', perMinute: 1 },
  report: { what: '报表', verb: '生成', perMinute: 10 },
  // A run goes on in the background and is watched on its page: no count per account, one at a time.
  discovery: { what: '比对', verb: '运行', perMinute: Infinity },
};

/** The account's window for each. */
export const HEAVY_WINDOW_SECONDS = 60;

/**
 * One start of `kind` counted in the account's minute: one past its number is 429, before anything
 * is read. The proposals count in account_window (0261); the later kinds in public_window under an
 * account bucket (migration 0239 says why). One upsert that takes the row's lock either way, so
 * starts sent at once are counted one after another, in one process or several.
 */
async function withinMinute(db: Kysely<DB>, kind: HeavyKind, userId: number): Promise<void> {
  const w =
    kind === 'proposals'
      ? await countInWindow(db, userId, 'proposals', HEAVY_WINDOW_SECONDS / 60)
      : await countPublicInWindow(db, `${kind}.account`, String(userId), HEAVY_WINDOW_SECONDS * 1000);
  const { what, verb, perMinute } = WORK[kind];
  if (w.used <= perMinute) return;
  const wait = Math.max(1, Math.ceil(HEAVY_WINDOW_SECONDS - (w.now.getTime() - w.windowStart.getTime()) / 1000));
  const times = perMinute === 1 ? '一次' : ` ${perMinute} 次`;
  throw new Problem(
    429,
    `${verb}过于频繁`,
    `您刚刚${verb}过${what}，每个账号每 ${HEAVY_WINDOW_SECONDS} 秒最多${verb}${times}，请在 ${wait} 秒后再${verb}`,
    undefined,
    `${kind}_recent`,
  );
}

/** The time of day in the deployment's zone (XGZ_TIME_ZONE). */
const clock = (d: Date) => localDateTime(d, true).slice(11);

/**
 * Claims the caller's area for a run of `kind` (migration 0239): a run over the same node, one above
 * or one below it already under way (another editor of the bureau, the city above) makes this one
 * 409, in Chinese, saying so and since when. Returns what gives the area back.
 */
export async function claimOrRefuse(
  db: Kysely<DB>,
  kind: HeavyKind,
  user: { id: number; scopeKey: string },
): Promise<() => Promise<void>> {
  const claim = await claimArea(db, kind, user.scopeKey, user.id);
  if ('running' in claim) {
    const { what, verb } = WORK[kind];
    const whose = claim.running.scopeKey === user.scopeKey ? '本辖区' : '与本辖区重叠的上级或下级辖区';
    throw new Problem(
      409,
      `${what}正在${verb}`,
      `${whose}的${what}正在${verb}（${clock(claim.running.startedAt)} 开始），同一时间只进行一次，请在其完成后再${verb}`,
      undefined,
      `${kind}_running`,
    );
  }
  return claim.release;
}

/**
 * Runs `work` as the only run of `kind` over the caller's area, after the account's minute; the
 * area is given back when the work ends, whatever its outcome.
 */
export async function heavyWork<T>(
  db: Kysely<DB>,
  kind: HeavyKind,
  user: { id: number; scopeKey: string },
  work: () => Promise<T>,
): Promise<T> {
  await withinMinute(db, kind, user.id);
  const release = await claimOrRefuse(db, kind, user);
  try {
    return await work();
  } finally {
    await release();
  }
}
