import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { INDICATORS, valuesOf, type IndicatorKey } from '../../domain/indicators/registry.js';
import { rankByTotal, scoreAll, type AssessmentItem } from '../../domain/assessment/scoring.js';
import type { Node } from '../../db/subtree.js';
import { localDate } from '../../domain/time/zone.js';
import { figuresWithChildren } from '../indicators/index.js';
import { snapshotOfMonth } from '../reports/index.js';
import { attachmentsOf } from '../attachments/index.js';

/** The assessment's reads: each child's items for a year, scored on the year's figures and ranked; the assessed jurisdiction's own. */
type Tx = Transaction<DB>;

/** The items set for each child of the node for a year, as the domain's items. */
async function itemsByChild(db: Tx, node: Node, y: number) {
  const rows = await db
    .selectFrom('assessment_item as a')
    .innerJoin('jurisdiction as j', 'j.code', 'a.jurisdiction_code')
    .select([
      'a.jurisdiction_code',
      'a.kind',
      'a.indicator',
      'a.label',
      'a.evidence',
      sql<number | null>`a.target::float8`.as('target'),
      sql<number>`a.weight::float8`.as('weight'),
      sql<number | null>`a.manual_score::float8`.as('manual_score'),
    ])
    .where('j.parent_code', '=', node.code)
    .where('a.year', '=', y)
    .orderBy('a.id')
    .execute();
  const out = new Map<string, AssessmentItem[]>();
  for (const r of rows) {
    const item: AssessmentItem =
      r.kind === 'indicator'
        ? { kind: 'indicator', indicator: r.indicator as IndicatorKey, target: r.target!, weight: r.weight }
        : { kind: 'manual', label: r.label!, weight: r.weight, manualScore: r.manual_score, evidence: r.evidence };
    out.set(r.jurisdiction_code, [...(out.get(r.jurisdiction_code) ?? []), item]);
  }
  return out;
}

/**
 * The figures a year is scored on: a closed year's December snapshot when there is one (the year as
 * it ended), otherwise live figures (the dashboard's measures, one pass).
 */
async function basisOf(db: Tx, node: Node, y: number) {
  // The year by the deployment's calendar (Asia/Shanghai): at 00:30 on 1 January the old year is closed there, not yet in UTC.
  const today = localDate();
  const december = y < Number(today.slice(0, 4)) ? await snapshotOfMonth(db, node, `${y}-12`) : null;
  if (december) return { source: 'snapshot' as const, asOf: `${y}-12`, children: december.children };
  return { source: 'live' as const, asOf: today, children: (await figuresWithChildren(db, node)).children };
}

/** Every child of the node scored for the year and ranked; children with no items are listed unranked. */
export async function scoreChildren(db: Tx, node: Node, y: number) {
  const items = await itemsByChild(db, node, y);
  const { source, asOf, children } = await basisOf(db, node, y);
  const scored = children.map((c) => {
    const list = items.get(c.code) ?? [];
    const s = scoreAll(list, valuesOf(c.counts));
    return {
      code: c.code,
      name: c.name,
      level: c.level,
      total: s.total,
      weight: s.weight,
      items: s.items.map((i) => ({
        kind: i.kind,
        indicator: i.kind === 'indicator' ? i.indicator : null,
        label: i.kind === 'indicator' ? INDICATORS[i.indicator].label : i.label,
        unit: i.kind === 'indicator' ? INDICATORS[i.indicator].unit : null,
        target: i.kind === 'indicator' ? i.target : null,
        weight: i.weight,
        manualScore: i.kind === 'manual' ? i.manualScore : null,
        evidence: i.kind === 'manual' ? i.evidence : null,
        actual: i.actual,
        score: i.score,
      })),
    };
  });
  const ranked = new Map(rankByTotal(scored.filter((c) => c.items.length)).map((c) => [c.code, c.rank]));
  return {
    source,
    asOf,
    children: scored
      .map((c) => ({ ...c, rank: ranked.get(c.code) ?? null }))
      .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.code.localeCompare(b.code)),
  };
}

/** The item evidence is added to (its kind, year and jurisdiction decide whether it may be). */
export async function evidenceItem(db: Tx, id: number) {
  const item = await db
    .selectFrom('assessment_item')
    .select(['kind', 'year', 'scope_key'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!item) throw notFound('考核项目');
  return item;
}

/** The caller's own jurisdiction and the level above it (the top one is not assessed: 404), read with the system connection. */
export async function ownAndParent(db: Kysely<DB>, code: string) {
  const own = await db
    .selectFrom('jurisdiction')
    .select(['code', 'name', 'level', 'scope_key', 'parent_code'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!own?.parent_code) throw notFound('本级的考核（最高一级不被考核）');
  const parent = await db
    .selectFrom('jurisdiction')
    .select(['code', 'name', 'level', 'scope_key'])
    .where('code', '=', own.parent_code)
    .executeTakeFirstOrThrow();
  return { own, parent };
}

type ScoredItems = Awaited<ReturnType<typeof scoreChildren>>['children'][number]['items'];

/** A jurisdiction's own items for the year as scored, each with its row's id and files (rows and scored items are both in id order). */
export async function ownItems(db: Tx, code: string, y: number, scored: ScoredItems) {
  const ids = await db
    .selectFrom('assessment_item')
    .select(['id'])
    .where('jurisdiction_code', '=', code)
    .where('year', '=', y)
    .orderBy('id')
    .execute();
  const files = await attachmentsOf(
    db,
    'assessment_item',
    ids.map((i) => Number(i.id)),
  );
  return scored.map((i, n) => ({ ...i, id: Number(ids[n].id), attachments: files.get(Number(ids[n].id)) ?? [] }));
}
