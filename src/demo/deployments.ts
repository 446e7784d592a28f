import type { AppContext } from '../http/context.js';
import type { Scoped } from '../db/scoped.js';
import {
  issueDeployment,
  receiveDeployment,
  replyToDeployment,
  returnDeploymentReply,
  workTaskContract,
} from '../features/worktasks/index.js';
import { DEMO } from './jurisdiction.js';
import { asDemoUser } from './steps.js';

const DAY = 86_400_000;
const at = (days: number) => new Date(Date.now() + days * DAY);
const targetOf = async (s: Scoped, deploymentId: number, node: string) =>
  Number(
    (
      await s.db
        .selectFrom('deployment_target')
        .select('id')
        .where('deployment_id', '=', deploymentId)
        .where('node_code', '=', node)
        .executeTakeFirstOrThrow()
    ).id,
  );

/**
 * The work loop as a new user finds it: the city's notice and tasks on their way down the tree,
 * each act done by the demo account whose work it is, through the feature's own writes (audited
 * under that account). The station clerk has a notice to sign for and a task its county passed
 * down; the city's boards show a reply returned with its reason and a task overdue.
 */
export async function registerDemoDeployments(ctx: AppContext): Promise<number> {
  const [xuanwu, qinhuai] = DEMO.countyCodes;
  const asCity = <T>(fn: Parameters<typeof asDemoUser<T>>[2]) => asDemoUser(ctx, 'city_editor', fn);
  const issue = (days: number, body: Record<string, unknown>) =>
    asCity((s, user) => issueDeployment(s, user, workTaskContract.newDeployment.parse(body), at(days)));

  const notice = await issue(-6, {
    kind: 'notice',
    title: '关于做好 2026 年度"小个专"党建工作数据年报的通知',
    levels: ['county', 'station'],
    body: '各区局、各基层所：请于 12 月 20 日前核对本辖区市场主体、党员和党组织数据，年报数据以平台台账为准，无须另行报送纸质材料。',
  });
  const visits = await issue(-5, {
    kind: 'task',
    title: '第四季度"两个覆盖"走访排查',
    levels: ['county'],
    dueAt: at(9).toISOString(),
    body: '对辖区内有党员未建组织、隐形党员线索逐户走访核实，能建尽建，应覆盖尽覆盖。',
    evidence: '报送走访户数和新发现党员数；走访记录在平台中关联即可，不要求拍照留痕。',
    figures: [
      { key: 'visited', label: '走访主体', unit: '户' },
      { key: 'found', label: '新发现党员', unit: '名' },
    ],
  });
  const instructors = await issue(-20, {
    kind: 'task',
    title: '第三季度党建指导员履职情况报送',
    levels: ['county'],
    dueAt: at(-2).toISOString(),
    body: '报送本辖区在岗党建指导员人数及联系主体情况。',
    figures: [{ key: 'instructors', label: '在岗指导员', unit: '名' }],
  });

  await asDemoUser(ctx, 'county_editor', async (s, user) => {
    await receiveDeployment(s, user, await targetOf(s, notice, xuanwu), at(-5));
    await replyToDeployment(
      s,
      user,
      await targetOf(s, instructors, xuanwu),
      { text: '本区在岗党建指导员 12 名，均已联系到户。', figures: { instructors: 12 }, links: [] },
      at(-10),
    );
    const own = await targetOf(s, visits, xuanwu);
    await receiveDeployment(s, user, own, at(-4));
    await issueDeployment(
      s,
      user,
      workTaskContract.newDeployment.parse({
        kind: 'task',
        title: '第四季度"两个覆盖"走访排查（区局转派）',
        levels: ['station'],
        parentTargetId: own,
        dueAt: at(6).toISOString(),
        body: '请各所按市局要求逐户走访核实本所辖区的线索，12 月 8 日前回复走访户数和新发现党员数。',
        figures: [
          { key: 'visited', label: '走访主体', unit: '户' },
          { key: 'found', label: '新发现党员', unit: '名' },
        ],
      }),
      at(-4),
    );
  });
  await asDemoUser(ctx, 'county2_editor', async (s, user) => {
    await receiveDeployment(s, user, await targetOf(s, notice, qinhuai), at(-5));
    await replyToDeployment(
      s,
      user,
      await targetOf(s, visits, qinhuai),
      { text: '已走访 46 户，新发现党员 3 名，均已登记。', figures: { visited: 46, found: 3 }, links: [] },
      at(-1),
    );
  });
  await asCity(async (s, user) =>
    returnDeploymentReply(
      s,
      user,
      await targetOf(s, visits, qinhuai),
      '新发现党员数与核实线索台账不一致（台账已核实 5 名），请核对后重新回复。',
      at(-0.5),
    ),
  );
  return 3;
}
