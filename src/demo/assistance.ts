import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AssistanceOutcome } from '../db/schema-platforms.js';
import type { AppContext } from '../http/context.js';
import { codeList } from '../features/dictionaries/index.js';
import { seededRandom, type Random } from '../domain/random.js';
import { DEMO } from './jurisdiction.js';
import { asCityEditor, daysAgoThisYear, later, thisYear } from './steps.js';

type Tx = Transaction<DB>;
type Candidate = { id: number; scope_key: string };
type Notes = { problems: string[]; actions: string[]; resolved: string; improved: string; unresolved: string };
type Plan = {
  name: string;
  line: string;
  organizer: string;
  description: string;
  size: [number, number];
  pool: (db: Tx, under: string) => Promise<Candidate[]>;
  notes: Notes;
};

const active = (db: Tx, under: string) =>
  db
    .selectFrom('entity')
    .select(['id', 'scope_key'])
    .where('status', '=', 'active')
    .where('scope_key', 'like', `${under}%`)
    .orderBy('id');

/** Three programs of this year: quality and metrology run by the city, a credit one by a district. */
const PLANS: Plan[] = [
  {
    name: '质量技术帮扶"提质强企"行动',
    line: 'quality',
    organizer: DEMO.cityCode,
    size: [8, 12],
    description:
      '组织质量、标准、认证专家走进小微企业，开展"一对一"质量诊断和技术帮扶，帮助企业建立质量管理制度、提升产品质量',
    pool: (db, under) =>
      active(db, under)
        .where('kind', '=', 'enterprise')
        .where((w) =>
          w.or(['食品', '医疗器械', '建筑装饰', '电子商务', '商贸'].map((t) => w('name', 'like', `%${t}%`))),
        )
        .limit(300)
        .execute(),
    notes: {
      problems: [
        '产品出厂检验记录不全，质量管理制度不健全',
        '产品抽检不合格，生产过程控制薄弱',
        '缺少执行标准，产品标签标识不规范',
        '质量投诉处理流程不清，售后记录缺失',
      ],
      actions: [
        '专家上门质量诊断，帮助编制质量管理制度和岗位职责',
        '指导开展出厂检验，培训质检人员 2 名',
        '帮助制定企业标准并在企业标准信息公共服务平台自我声明公开',
        '指导规范产品标签标识，建立质量投诉处理台账',
      ],
      resolved: '复查合格，质量管理制度已建立并运行',
      improved: '检验和记录基本规范，仍需持续跟踪',
      unresolved: '企业阶段性停产，复产后继续帮扶',
    },
  },
  {
    name: '计量服务中小企业行',
    line: 'metrology',
    organizer: DEMO.cityCode,
    size: [8, 14],
    description: '为个体工商户和小微企业免费检定在用强制检定计量器具，宣传计量法律法规，帮助建立计量器具台账',
    pool: (db, under) =>
      active(db, under)
        .where('kind', '=', 'individual')
        .where((w) =>
          w.or(
            ['水果店', '便利店', '早餐店', '茶叶店', '烟酒店', '药店', '小吃店', '快餐店'].map((t) =>
              w('name', 'like', `%${t}`),
            ),
          ),
        )
        .limit(300)
        .execute(),
    notes: {
      problems: [
        '在用电子秤超期未检定',
        '不了解强制检定计量器具目录，未建立器具台账',
        '定量包装商品净含量自查缺失',
        '计量器具铭牌缺失，无法判定是否合格',
      ],
      actions: [
        '现场免费检定电子秤 2 台并张贴合格标志',
        '上门讲解计量法规，帮助建立计量器具台账',
        '指导开展定量包装商品净含量自查',
        '协助更换不合格计量器具，复检合格',
      ],
      resolved: '器具检定合格，台账已建立',
      improved: '已检定主要器具，台账待完善',
      unresolved: '经营者拒绝更换不合格器具，已移交执法核查',
    },
  },
  {
    name: '个体工商户信用修复暖心行动',
    line: 'credit',
    organizer: DEMO.countyCodes[1],
    size: [5, 8],
    description: '对因未按时报送年报被列入经营异常名录的个体工商户和小微企业，上门告知、辅导补报和信用修复',
    pool: (db, under) => active(db, under).limit(300).execute(),
    notes: {
      problems: [
        '未按时报送年度报告，被列入经营异常名录',
        '通过登记的住所无法联系，被标记为经营异常',
        '行政处罚信息公示期满，未申请信用修复',
      ],
      actions: [
        '电话和上门告知，辅导补报年度报告并申请移出经营异常名录',
        '指导办理住所变更登记，申请恢复正常记载状态',
        '一对一辅导准备信用修复申请材料，当场受理',
      ],
      resolved: '已移出经营异常名录，信用状态恢复正常',
      improved: '已补报年报，移出申请审核中',
      unresolved: '经营者暂无法取得联系，继续跟进',
    },
  },
];

/** n distinct candidates in a fixed pseudo-random order. */
function sample<T>(rnd: Random, xs: T[], n: number): T[] {
  const pool = [...xs];
  const out: T[] = [];
  while (out.length < n && pool.length) out.push(pool.splice(rnd.int(0, pool.length - 1), 1)[0]);
  return out;
}

/** Joined a while ago: an outcome for most (what was done always said); recent ones still ongoing, some with measures under way. */
function participation(rnd: Random, startsOn: string, notes: Notes) {
  const span = Math.max(0, Math.round((Date.now() - Date.parse(startsOn)) / 86_400_000));
  const ago = rnd.int(0, span);
  const joinedOn = later(startsOn, daysAgoThisYear(ago));
  const outcome: AssistanceOutcome =
    ago < 40 ? 'ongoing' : rnd.chance(0.5) ? 'resolved' : rnd.chance(0.7) ? 'improved' : 'unresolved';
  const actions = outcome !== 'ongoing' || rnd.chance(0.5) ? rnd.pick(notes.actions) : null;
  return {
    joined_on: joinedOn,
    problem: rnd.pick(notes.problems),
    actions,
    outcome,
    outcome_note: outcome === 'ongoing' ? null : notes[outcome],
  };
}

/** Step 9: assistance programs (帮扶) of this year, each with the demo entities taking part, what was done and the outcome. */
export async function registerDemoAssistance(
  ctx: AppContext,
): Promise<{ programs: number; entities: number; outcomes: number }> {
  const rnd = seededRandom(DEMO.seed + 14);
  return asCityEditor(ctx, async ({ db, audit }) => {
    const lines = await codeList(db, 'business_line');
    const n = { programs: 0, entities: 0, outcomes: 0 };
    for (const p of PLANS) {
      if (!lines.has(p.line)) throw new Error(`business line ${p.line} is not in the list`);
      const node = await db
        .selectFrom('jurisdiction')
        .select(['code', 'scope_key'])
        .where('code', '=', p.organizer)
        .executeTakeFirstOrThrow();
      const startsOn = daysAgoThisYear(rnd.int(150, 280));
      const { id } = await db
        .insertInto('assistance_program')
        .values({
          name: `${thisYear()}年${p.name}`,
          business_line: p.line,
          starts_on: startsOn,
          ends_on: `${thisYear()}-12-31`,
          description: p.description,
          jurisdiction_code: node.code,
          scope_key: node.scope_key,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const picked = sample(rnd, await p.pool(db, node.scope_key), rnd.int(...p.size));
      if (picked.length) {
        const rows = picked.map((e) => ({
          program_id: id,
          entity_id: e.id,
          scope_key: e.scope_key,
          ...participation(rnd, startsOn, p.notes),
        }));
        await db.insertInto('assistance_entity').values(rows).execute();
        n.entities += rows.length;
        n.outcomes += rows.filter((r) => r.outcome !== 'ongoing').length;
      }
      n.programs++;
    }
    audit({ action: 'assistance.create', objectType: 'assistance_program', detail: { demo: true, ...n } });
    return n;
  });
}
