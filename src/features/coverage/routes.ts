import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SECTIONS } from '../../domain/ledger/industry.js';
import { ZONE_KIND_LABEL } from '../../domain/orgs/grouping.js';
import { ENTITY_KIND_LABEL } from '../../domain/ledger/labels.js';
import { nodeInScope } from '../../db/subtree.js';
import { schemaOf } from '../../http/contract.js';
import { getCoverage } from './contract.js';
import { childTallies, tallies, tallyBy, withRates } from './queries.js';
import { emptyTally, newSince, type Tally } from '../../domain/coverage/coverage.js';


const KIND: Record<string, string> = ENTITY_KIND_LABEL;
const ZONE_KIND: Record<string, string> = ZONE_KIND_LABEL;


/** a + sign × b, figure by figure. */
const combine = (sign: 1 | -1) => (a: Tally, b: Tally): Tally => {
  const t = emptyTally();
  for (const k of Object.keys(t) as (keyof Tally)[]) t[k] = a[k] + sign * b[k];
  return t;
};

/** The two coverages for any node of the user's subtree: its figures, its children, and the splits. */
export async function coverageRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(getCoverage.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getCoverage, ['两个覆盖']), querystring: getCoverage.query, response: { 200: getCoverage.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        const key = node.scope_key;
        // One transaction is one connection: the queries run one after another anyway.
        const dims = await tallies(db, key, ['all', 'kind', 'industry', 'zone_kind', 'zone']);
        const [all, kind, industry, zoneKind, zones] = ['all', 'kind', 'industry', 'zone_kind', 'zone'].map((d) => dims.get(d)!);
        // Only the recent months are read: the established are the rest.
        const fresh = [...(await tallyBy(db, key, 'reg_month', newSince().slice(0, 7))).values()].reduce(combine(1), emptyTally());
        const total = all.get('') ?? emptyTally();
        const old = combine(-1)(total, fresh);
        const tree = await childTallies(db, node);
        const zoneIds = [...zones.keys()].map(Number);
        const zoneNames = zoneIds.length ? await db.selectFrom('zone').select(['id', 'name']).where('id', 'in', zoneIds).execute() : [];
        const nameOf = new Map(zoneNames.map((z) => [String(z.id), z.name]));
        const rows = (m: Map<string, Tally>, label: (v: string) => string) =>
          [...m].map(([value, t]) => ({ value, label: label(value), ...withRates(t) })).sort((a, b) => b.operating - a.operating);
        return {
          node: { code: node.code, name: node.name, level: node.level },
          total: withRates(total),
          unassigned: withRates(tree.own),
          children: tree.children,
          splits: {
            kind: rows(kind, (v) => KIND[v] ?? v),
            industry: rows(industry, (v) => (v ? `${v} ${SECTIONS.find((x) => x.code === v)?.label ?? ''}`.trim() : '未填行业')),
            zoneKind: rows(zoneKind, (v) => ZONE_KIND[v] ?? v),
            newness: [
              { value: 'new', label: '新设（近 12 个月）', ...withRates(fresh) },
              { value: 'established', label: '存量', ...withRates(old) },
            ],
            zones: rows(zones, (v) => nameOf.get(v) ?? `区域 ${v}`).slice(0, 30),
          },
        };
      }),
  });
}
