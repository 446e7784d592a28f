import { sql } from 'kysely';
import type { Scoped } from '../../db/scoped.js';
import { dueOn, FORMS, periodLabel, type FormCode } from '../../domain/reports/forms.js';
import { answerLedgerTask, closeLedgerTask, ledgerTaskOf, syncLedgerTask } from './ledger.js';
import { stillPlanned } from '../../domain/worktasks/visit-plan.js';
import { deadlineOf, localDate } from '../../domain/time/zone.js';
import type { Actor } from './replies.js';

/**
 * The ledgers whose records are deployed work, each as a task to the nodes it names (the record is
 * the body; see ledger.ts). A ledger calls the one for its record when the record is written or
 * cancelled; these read the record and say what the task is. None asks for a photo, a check-in or
 * a figure the system already holds: the work is done in the ledger and linked.
 */

/** The end of a date (YYYY-MM-DD) in China time. */
const endOf = (d: string) => deadlineOf(String(d).slice(0, 10));

async function nodeOf(s: Scoped, code: string) {
  return s.db
    .selectFrom('jurisdiction')
    .select(['code', 'name', 'scope_key', 'level'])
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
}
const childrenOf = async (s: Scoped, code: string) =>
  (await s.db.selectFrom('jurisdiction').select('code').where('parent_code', '=', code).execute()).map((c) => c.code);

/**
 * A visit plan (走访计划) goes to the stations (or, with none, the counties) of the entities it still
 * asks to visit (stillPlanned): one 注销/吊销/迁出 before its visit needs none, and a station left
 * with nothing to visit is not asked (see followVisitPlans).
 */
export async function deployVisitPlan(s: Scoped, by: Actor, planId: number, now: Date): Promise<number | null> {
  const p = await s.db.selectFrom('visit_plan').selectAll().where('id', '=', planId).executeTakeFirstOrThrow();
  const issuer = await nodeOf(s, p.jurisdiction_code);
  const named = p.entity_ids.map(Number);
  const entities = named.length
    ? await s.db
        .selectFrom('entity')
        .select(['id', 'status', sql<string>`coalesce(station_code, county_code)`.as('node')])
        .where('id', 'in', named)
        .execute()
    : [];
  const visited = new Set(
    (await s.db.selectFrom('visit_record').select('entity_id').where('plan_id', '=', p.id).execute()).map((v) =>
      Number(v.entity_id),
    ),
  );
  const kept = entities.filter((e) => stillPlanned({ status: e.status, visited: visited.has(Number(e.id)) }));
  const gone = entities.length - kept.length;
  return syncLedgerTask(
    s,
    by,
    {
      source: 'visit_plan',
      key: String(p.id),
      issuer: { code: issuer.code, scopeKey: issuer.scope_key },
      title: `走访计划：${p.title}`,
      body: `${issuer.name}走访计划「${p.title}」：走访人 ${p.visitor_name}，${p.starts_on} 至 ${p.ends_on}，共走访 ${named.length - gone} 户市场主体（本单位辖区内的主体见走访计划）${gone ? `；另有 ${gone} 户已注销、吊销或迁出，无需走访` : ''}。\n走访后在"诉求直通与走访"中登记走访记录（日期、主体、了解到的情况），发现的问题按业务条线转办。`,
      evidence: '回复时关联已登记的走访记录即可；不要求照片、定位或打卡。',
      dueAt: endOf(p.ends_on),
      targets: [...new Set(kept.map((e) => e.node))],
      path: `/appeals?tab=visits&plan=${p.id}`,
    },
    now,
  );
}

/**
 * The tasks of the visit plans still running (not cancelled, not ended) that name these entities are
 * written again from the plans after the entities' status changed (a registry extract, an edit): a
 * station whose only planned entities were 注销 is no longer asked to visit (while it has not taken
 * the task), the others read the count without them; an entity back to 存续 is asked for again.
 * Only the plans of the caller's node and below: an upper level's plan is its own to deploy.
 */
export async function followVisitPlans(
  s: Scoped,
  by: Actor,
  entities: number[] | (() => Promise<number[]>),
  now: Date,
): Promise<void> {
  // The running plans first: most import batches meet none, and then never look their entities up.
  const running = await s.db
    .selectFrom('visit_plan')
    .select(['id', 'jurisdiction_code', 'entity_ids'])
    .where('cancelled_at', 'is', null)
    .where('ends_on', '>=', localDate(now))
    .where(sql<boolean>`starts_with(scope_key, ${s.who.scopeKey})`)
    .orderBy('id')
    .execute();
  if (!running.length) return;
  const ids = new Set((typeof entities === 'function' ? await entities() : entities).map(Number));
  for (const p of running) {
    if (!p.entity_ids.some((id) => ids.has(Number(id)))) continue;
    // A task its issuer closed (withdrawn) stays closed: only the plan's own cancellation speaks for it.
    const task = await ledgerTaskOf(s, 'visit_plan', p.jurisdiction_code, String(p.id));
    if (!task?.closed) await deployVisitPlan(s, by, Number(p.id), now);
  }
}

/**
 * Work deployed to the nodes directly below the deploying node, which take part in it in their own
 * ledger: an assistance program (帮扶项目), whose nodes bring in their entities, and a campaign
 * (学习教育活动), whose organizations take part. One deployer serves both; what differs is said here.
 */
const DOWNWARD = {
  assistance_program: {
    table: 'assistance_program',
    noun: '帮扶项目',
    verb: '帮扶项目',
    page: (id: number) => `/assistance?open=${id}`,
    ask: '请在"帮扶"中登记本辖区参与帮扶的市场主体、帮扶措施与成效。',
    evidence: '参与主体、帮扶措施与成效在"帮扶"中登记即可，回复时简述；不要求照片。',
  },
  campaign: {
    table: 'campaign',
    noun: '学习教育',
    verb: '部署学习教育活动',
    page: (id: number) => `/education?campaign=${id}`,
    ask: '请在"学习教育与书记培训"中登记本辖区参加的党组织与开展的活动。',
    evidence: '参加的组织与活动记录在"学习教育"中登记即可，回复时简述；不要求照片、打卡或线上学习时长。',
  },
} as const;

async function deployDownward(
  s: Scoped,
  by: Actor,
  source: keyof typeof DOWNWARD,
  id: number,
  now: Date,
): Promise<number | null> {
  const w = DOWNWARD[source];
  const r = await s.db
    .selectFrom(w.table)
    .select(['id', 'name', 'jurisdiction_code', 'starts_on', 'ends_on', 'description'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const issuer = await nodeOf(s, r.jurisdiction_code);
  return syncLedgerTask(
    s,
    by,
    {
      source,
      key: String(r.id),
      issuer: { code: issuer.code, scopeKey: issuer.scope_key },
      title: `${w.noun}：${r.name}`,
      body: `${issuer.name}${w.verb}「${r.name}」，${r.starts_on} 至 ${r.ends_on}。${r.description ? `\n${r.description}` : ''}\n${w.ask}`,
      evidence: w.evidence,
      dueAt: endOf(r.ends_on),
      targets: await childrenOf(s, issuer.code),
      path: w.page(Number(r.id)),
    },
    now,
  );
}

/** An assistance program (帮扶项目) goes to the nodes directly below the organizer, which bring in their entities. */
export const deployAssistanceProgram = (s: Scoped, by: Actor, programId: number, now: Date) =>
  deployDownward(s, by, 'assistance_program', programId, now);

/** A campaign (学习教育活动) goes to the nodes directly below the deploying node, whose organizations take part. */
export const deployCampaign = (s: Scoped, by: Actor, campaignId: number, now: Date) =>
  deployDownward(s, by, 'campaign', campaignId, now);

/**
 * A report period (统计报表报告期) goes to the reporting nodes directly below the caller (stations do
 * not report). A node's submitted report answers it (answerLedgerTask, from the reports feature).
 */
export async function deployReportPeriod(
  s: Scoped,
  by: Actor,
  issuerCode: string,
  form: FormCode,
  period: string,
  now: Date,
): Promise<number | null> {
  const f = FORMS[form];
  const issuer = await nodeOf(s, issuerCode);
  const due = dueOn(f, period);
  const targets = await childrenOf(s, issuer.code);
  const id = await syncLedgerTask(
    s,
    by,
    {
      source: 'report_period',
      key: `${form}:${period}`,
      issuer: { code: issuer.code, scopeKey: issuer.scope_key },
      title: `上报${f.title}（${periodLabel(f.period, period)}）`,
      body: `请于 ${due} 前生成并上报${f.title}（${periodLabel(f.period, period)}）。报表数字由台账生成，各级汇总直接下级的最新上报版本。\n上报即完成本任务（自动回复并关联报表），无需另行填报。`,
      evidence: '上报的报表（系统自动关联）。',
      dueAt: endOf(due),
      targets,
      path: `/reports?form=${form}&period=${encodeURIComponent(period)}`,
    },
    now,
  );
  // A child that submitted before the period was deployed has answered it already.
  if (id !== null && targets.length) {
    const submitted = await s.db
      .selectFrom('report')
      .select(['id', 'jurisdiction_code', 'version'])
      .where('form', '=', form)
      .where('period', '=', period)
      .where('state', '=', 'submitted')
      .where('jurisdiction_code', 'in', targets)
      .execute();
    for (const r of submitted)
      await answerLedgerTask(
        s,
        by,
        {
          source: 'report_period',
          issuerCode: issuer.code,
          key: `${form}:${period}`,
          node: r.jurisdiction_code,
          text: `已上报第 ${r.version} 版`,
          links: [{ kind: 'report', id: Number(r.id) }],
        },
        now,
      );
  }
  return id;
}

/**
 * An assessment year (年度目标责任考核) goes from the level above to each child it set items for:
 * the items are the body; manual items take evidence on the assessment itself until its deadline.
 */
export async function deployAssessmentYear(
  s: Scoped,
  by: Actor,
  issuerCode: string,
  year: number,
  evidenceDeadline: string,
  now: Date,
): Promise<number | null> {
  const issuer = await nodeOf(s, issuerCode);
  const items = await s.db
    .selectFrom('assessment_item as a')
    .innerJoin('jurisdiction as j', 'j.code', 'a.jurisdiction_code')
    .select(['a.jurisdiction_code', 'a.kind', 'a.indicator', 'a.label', sql<number>`a.weight::float8`.as('weight')])
    .where('j.parent_code', '=', issuer.code)
    .where('a.year', '=', year)
    .orderBy('a.jurisdiction_code')
    .orderBy('a.id')
    .execute();
  const children = [...new Set(items.map((i) => i.jurisdiction_code))];
  const manual = [...new Set(items.filter((i) => i.kind === 'manual').map((i) => `${i.label}`))];
  return syncLedgerTask(
    s,
    by,
    {
      source: 'assessment_year',
      key: String(year),
      issuer: { code: issuer.code, scopeKey: issuer.scope_key },
      title: `${year} 年度目标责任考核`,
      body: `${issuer.name}已设置 ${year} 年度目标责任考核项目。指标项按台账数据自动评分，无需另报；${manual.length ? `人工评分项（${manual.join('、')}）请于 ${evidenceDeadline} 前在"年度目标考核 · 本级考核"中上传佐证材料。` : '本年度没有人工评分项。'}\n考核目标、分值、实时得分与排名见"年度目标考核 · 本级考核"。`,
      evidence: '人工评分项的佐证材料在本级考核中上传；系统已有的数据不另报。',
      dueAt: endOf(evidenceDeadline),
      targets: children,
      path: `/assessment?year=${year}&tab=mine`,
    },
    now,
  );
}

/** A record cancelled: its task is closed (see closeLedgerTask). */
export const closeDeployed = closeLedgerTask;
