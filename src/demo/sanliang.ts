import type { AppContext } from '../http/context.js';
import { EXIT_REASONS } from '../domain/sanliang/plaque.js';
import { actOnPlaque } from '../features/sanliang/index.js';
import { seededRandom } from '../domain/random.js';
import { DEMO } from './jurisdiction.js';
import { asCityEditor, daysBefore } from './steps.js';

const OPERATOR_DUTIES = [
  '诚信经营、明码标价，带头落实食品安全主体责任',
  '守法经营、优质服务，带动周边经营户规范经营',
  '亮明党员身份，接受群众监督，热心服务邻里',
];
const COMMITMENTS = [
  '不售假冒伪劣商品，不缺斤短两，有诺必践',
  '诚信守法、文明经商，主动化解消费纠纷',
  '做到亮身份、亮职责、亮承诺，当好党员示范户',
];
const POSTS: [string, string][] = [
  ['客户服务岗', '热情接待客户，及时处理投诉建议'],
  ['质量管理岗', '把好产品质量关，带头执行质量标准'],
  ['安全生产岗', '落实安全生产责任，及时排查隐患'],
];

/**
 * Step 6: about twenty 三亮 records: 共产党员经营户 on individual businesses whose operator is a
 * party member (the very person on the roster), and a few 党员示范岗 in enterprises; plaques
 * issued through the routes' own numbering (actOnPlaque), all but a couple, and one revoked.
 */
export async function registerDemoSanliang(
  ctx: AppContext,
): Promise<{ records: number; plaques: number; revoked: number }> {
  const rnd = seededRandom(DEMO.seed + 12);
  return asCityEditor(ctx, async ({ db, audit }) => {
    const pairs = await db
      .selectFrom('member as m')
      .innerJoin('entity_person as ep', 'ep.person_id', 'm.person_id')
      .innerJoin('entity as e', 'e.id', 'ep.entity_id')
      .select(['m.id as member_id', 'e.id as entity_id', 'e.kind', 'e.county_code', 'e.scope_key', 'ep.role'])
      .where('e.status', '=', 'active')
      .where('ep.role', 'in', ['legal_rep', 'investor', 'executive', 'employee'])
      .orderBy('e.id')
      .orderBy('m.id')
      .execute();
    const operators = pairs.filter((p) => p.kind === 'individual' && p.role === 'legal_rep').slice(0, 16);
    const posts = pairs.filter((p) => p.kind !== 'individual').slice(0, 4);
    let [created, plaques, revoked] = [0, 0, 0];
    const records = [
      ...operators.map((p) => ({ ...p, kind: 'member_operator' as const })),
      ...posts.map((p) => ({ ...p, kind: 'member_post' as const })),
    ];
    for (const [i, p] of records.entries()) {
      const post = p.kind === 'member_post' ? rnd.pick(POSTS) : null;
      const record = await db
        .insertInto('sanliang')
        .values({
          kind: p.kind,
          member_id: p.member_id,
          entity_id: p.entity_id,
          county_code: p.county_code,
          scope_key: p.scope_key,
          post_name: post ? `党员示范岗·${post[0]}` : null,
          duties: post ? post[1] : rnd.pick(OPERATOR_DUTIES),
          commitment: rnd.pick(COMMITMENTS),
          shown_on: daysBefore(rnd.int(10, 600)),
        })
        .onConflict((c) => c.doNothing())
        .returning(['id', 'status', 'county_code', 'scope_key'])
        .executeTakeFirst();
      if (!record) continue;
      created++;
      if (i % 9 === 8) continue;
      const { issued } = await actOnPlaque(db, 'issue', record, null);
      plaques++;
      if (i === 4) {
        await actOnPlaque(db, 'revoke', record, { id: issued!.id, state: 'valid' }, EXIT_REASONS[4]);
        revoked++;
      }
    }
    const n = { records: created, plaques, revoked };
    audit({ action: 'sanliang.create', objectType: 'sanliang', detail: { demo: true, ...n } });
    return n;
  });
}
