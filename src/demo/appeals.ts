import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AppContext } from '../http/context.js';
import type { CaseAction, CaseDeadlines, RiderCategory } from '../domain/cases/engine.js';
import { routeCase } from '../domain/cases/routing.js';
import {
  coveringUnits,
  moveCase,
  newTrackingCode,
  placeUnit,
  raiseCase,
  trackingHash,
  type Mover,
} from '../features/appeals/index.js';
import { seededRandom, type Random } from '../domain/random.js';
import { DEMO } from './jurisdiction.js';
import { asCityEditor } from './steps.js';

type Tx = Transaction<DB>;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What riders write and what the units answer, by category (the categories a year brings, most often the first). */
const RIDER: [RiderCategory, number, string[], string[]][] = [
  [
    'entry',
    5,
    ['小区物业不让骑手电动车进门，只能把车停在门口步行送餐，超时被罚', '写字楼门禁不给外卖员登记，每次都要等客户下楼'],
    ['已与物业协商，小区东门设骑手临时通道，登记后可骑车进入', '已协调写字楼物业，大堂设外卖暂存柜'],
  ],
  [
    'parking',
    4,
    ['商圈周边没有电动车停放点，停在路边被贴条', '医院门口不让停车，取餐只能停很远'],
    ['已会同街道在商圈南侧划设骑手临时停车区', '已协调医院在西门外设置非机动车停放点'],
  ],
  [
    'charging',
    3,
    ['驿站附近的充电柜坏了一周没人修', '换电柜太少，高峰要排队半小时'],
    ['已联系运营企业维修，充电柜恢复使用', '已推动运营企业在站点旁新增换电柜 2 组'],
  ],
  [
    'upstairs',
    2,
    ['老小区没有电梯，送到七楼经常超时被差评', '园区不让骑手进楼，只能在门口等'],
    ['已与社区沟通，设置楼下外卖取餐点并张贴告示', '已协调园区管理方在一楼设取餐区'],
  ],
  [
    'rights',
    2,
    ['平台无故扣除配送费，申诉三次都没有回复', '站点扣押押金不退，说是装备费'],
    ['已约谈平台区域负责人，核实后退还扣款并优化申诉渠道', '已督促合作商退还押金，并开展用工合规提醒'],
  ],
  ['food_clue', 1, ['取餐时看到某快餐店后厨很脏，食材放在地上'], ['已转食品安全科现场检查，责令整改并将复查']],
  ['other', 1, ['希望驿站能延长开放时间到晚上十一点'], ['已与驿站协商，夏季延长开放至 23 点']],
];

/** Problems staff hear on visits, by business line. */
const VISIT_PROBLEMS: [string, string, string][] = [
  ['registration', '想把个体户转为企业，不清楚需要准备哪些材料', '已上门辅导"个转企"材料，当日在窗口办结'],
  ['credit', '去年年报漏报被列入经营异常名录，影响贷款', '已辅导补报年报并申请移出经营异常名录'],
  ['metrology', '店里的电子秤不知道是否需要检定', '已安排计量所免费检定并张贴合格标志'],
  ['quality', '产品抽检有一项指标不合格，不知道如何整改', '已组织专家上门质量诊断，指导整改'],
  ['food', '想申请食品经营许可增加冷食类项目', '已指导补充材料，许可已变更'],
  ['online', '网店被平台要求补充证照公示，不会操作', '已指导在店铺首页公示营业执照信息'],
];

const weighted = (rnd: Random) => {
  const total = RIDER.reduce((s, r) => s + r[1], 0);
  let x = rnd.int(1, total);
  return RIDER.find((r) => (x -= r[1]) <= 0)!;
};

/**
 * Moves a case the way its unit worked it, step by step at the times given, until a step would
 * fall after today (the case stays where it is: waiting, being handled or awaiting the rider's
 * word). Staff accept within hours, note, resolve in days; most riders rate the answer; a few
 * cases nobody took up.
 */
async function work(db: Tx, id: number, from: Date, rnd: Random, d: CaseDeadlines, staff: Mover, reply: string) {
  const moves: [CaseAction, number, Mover, object][] = [
    ['accept', rnd.int(1, 40) * HOUR, staff, {}],
    ...(rnd.chance(0.5)
      ? [
          ['note', rnd.int(2, 48) * HOUR, staff, { note: '已电话联系相关方，正在协调' }] as [
            CaseAction,
            number,
            Mover,
            object,
          ],
        ]
      : []),
    ['resolve', rnd.int(6, 200) * HOUR, staff, { reply }],
    ...(rnd.chance(0.8)
      ? [
          [
            'feedback',
            rnd.int(2, 96) * HOUR,
            { actor: 'public', actorId: null },
            { satisfaction: rnd.chance(0.7) ? 5 : rnd.int(2, 4) },
          ] as [CaseAction, number, Mover, object],
        ]
      : []),
  ];
  // A few nobody took up: overdue, and escalated by the job when the app starts.
  if (rnd.chance(0.05)) return;
  let at = from.getTime();
  for (const [action, after, by, input] of moves) {
    at += after;
    if (at > Date.now()) return;
    const c = await db.selectFrom('appeal_case').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await moveCase(db, c, action, by, input, d, new Date(at));
  }
}

/**
 * Step 11: five months of the case engine — riders' appeals at the demo stations (a rights
 * problem to the rider committee or the platform's contact point), and visits whose problems go
 * to the counties' business lines — each raised and worked through the engine at its own time,
 * so the work list, the figures and the step times show a working year's shape.
 */
export async function registerDemoAppeals(
  ctx: AppContext,
): Promise<{ appeals: number; visits: number; problems: number }> {
  const rnd = seededRandom(DEMO.seed + 21);
  const d = await ctx.settings.get('cases'); // before the scoped transaction (PGlite is one connection)
  const platforms = (
    await ctx.db.selectFrom('platform').select('id').where('status', '=', 'active').orderBy('id').execute()
  ).map((p) => Number(p.id));
  return asCityEditor(ctx, async ({ db, audit, editorId }) => {
    const staff: Mover = { actor: 'staff', actorId: editorId };
    const stations = await db
      .selectFrom('jurisdiction')
      .select(['code', 'level', 'parent_code', 'scope_key'])
      .where('level', '=', 'station')
      .where('parent_code', 'in', DEMO.countyCodes)
      .orderBy('code')
      .execute();
    const n = { appeals: 0, visits: 0, problems: 0 };
    const pool = await db
      .selectFrom('entity')
      .select(['id', 'county_code', 'scope_key'])
      .where('status', '=', 'active')
      .where('county_code', 'in', DEMO.countyCodes)
      .orderBy('id')
      .limit(400)
      .execute();
    const targets = [...new Map(Array.from({ length: 40 }, () => rnd.pick(pool)).map((e) => [e.id, e])).values()];
    const cityKey = (
      await db
        .selectFrom('jurisdiction')
        .select('scope_key')
        .where('code', '=', DEMO.cityCode)
        .executeTakeFirstOrThrow()
    ).scope_key;
    const plan = await db
      .insertInto('visit_plan')
      .values({
        title: '大走访大调研·个体工商户专项',
        visitor_name: '市局走访组',
        starts_on: new Date(Date.now() - 150 * DAY).toISOString().slice(0, 10),
        ends_on: new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10),
        entity_ids: targets.map((e) => e.id),
        jurisdiction_code: DEMO.cityCode,
        scope_key: cityKey,
        created_by: editorId,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();

    // Raised in the order they happened, so the work list's "newest first" reads as a calendar.
    const items = [
      ...Array.from({ length: 80 }, () => ({
        at: Date.now() - rnd.int(0, 150) * DAY - rnd.int(1, 20) * HOUR,
        visit: null as (typeof targets)[number] | null,
      })),
      ...targets.slice(0, 30).map((e) => ({ at: Date.now() - rnd.int(1, 140) * DAY, visit: e })),
    ].sort((a, b) => a.at - b.at);
    for (const item of items) {
      const at = new Date(item.at);
      const e = item.visit;
      if (!e) {
        const place = rnd.pick(stations);
        const [category, , texts, replies] = weighted(rnd);
        const covering =
          category === 'rights'
            ? await coveringUnits(db, place.scope_key, rnd.chance(0.6) ? rnd.pick(platforms) : undefined)
            : {};
        const routed = routeCase({
          door: 'rider',
          category,
          place: { code: place.code, level: place.level, parentCode: place.parent_code },
          ...covering,
        });
        if (!routed.ok) throw new Error(routed.reason);
        const unit = { ...(await placeUnit(db, routed.unit)), countyCode: place.parent_code! };
        const id = await raiseCase(
          db,
          {
            door: 'rider',
            category,
            content: rnd.pick(texts),
            areaCode: place.code,
            unit,
            raisedKey: unit.scopeKey,
            trackingHash: trackingHash(newTrackingCode()),
          },
          { actor: 'public', actorId: null },
          d,
          at,
        );
        await work(db, id, at, rnd, d, staff, rnd.pick(replies));
        n.appeals++;
        continue;
      }
      const visit = await db
        .insertInto('visit_record')
        .values({
          plan_id: plan.id,
          entity_id: e.id,
          county_code: e.county_code,
          scope_key: e.scope_key,
          visited_on: at.toISOString().slice(0, 10),
          visitor_name: '市局走访组',
          learned: '经营正常，了解了经营状况和用工情况',
          created_by: editorId,
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      n.visits++;
      if (!rnd.chance(0.5)) continue;
      const [line, content, reply] = rnd.pick(VISIT_PROBLEMS);
      const routed = routeCase({
        door: 'visit',
        category: line,
        place: { code: e.county_code, level: 'county', parentCode: null },
      });
      if (!routed.ok) throw new Error(routed.reason);
      const raisedAt = new Date(item.at + 10 * HOUR);
      const id = await raiseCase(
        db,
        {
          door: 'visit',
          category: line,
          content,
          entityId: e.id,
          visitId: visit.id,
          unit: await placeUnit(db, routed.unit),
          raisedKey: cityKey,
          raisedBy: editorId,
        },
        staff,
        d,
        raisedAt,
      );
      await work(db, id, raisedAt, rnd, d, staff, reply);
      n.problems++;
    }
    audit({ action: 'visit_plan.create', objectType: 'visit_plan', objectId: plan.id, detail: { demo: true, ...n } });
    return n;
  });
}
