import type { z } from 'zod';
import { itemsProblem, type AssessmentItem } from '../../domain/assessment/scoring.js';
import { evidenceDeadline } from '../../domain/assessment/evidence.js';
import { planReplacement } from '../../domain/assessment/replace.js';
import { Problem } from '../../http/errors.js';
import type { Scoped } from '../../db/scoped.js';
import { nodeInScope } from '../../db/subtree.js';
import { attachmentsOf } from '../attachments/index.js';
import { actorOf, deployAssessmentYear } from '../worktasks/index.js';
import type { setAssessmentItems } from './contract.js';

type User = { id: number; displayName: string; jurisdictionCode: string; scopeKey: string };

/**
 * 设置考核项目: the level directly above replaces a child's items for a year. Each item keeps its row by
 * its key (the evidence attached to it stays); an item with evidence cannot be removed. The year
 * reaches each child with items as a task.
 */
export async function setItems(
  s: Scoped,
  user: User,
  code: string,
  body: z.output<typeof setAssessmentItems.body>,
): Promise<void> {
  const { db, audit } = s;
  const target = await nodeInScope(db, user, code);
  const parent = await db
    .selectFrom('jurisdiction')
    .select('parent_code')
    .where('code', '=', target.code)
    .executeTakeFirstOrThrow();
  if (parent.parent_code !== user.jurisdictionCode) throw new Problem(403, '无权操作', '考核项目由直接上级设置');
  const items = body.items as AssessmentItem[];
  const problem = itemsProblem(items);
  if (problem) throw new Problem(422, '不符合规定', problem.message, [problem]);
  const before = await db
    .selectFrom('assessment_item')
    .select(['id', 'kind', 'indicator', 'label', 'target', 'weight', 'manual_score', 'evidence'])
    .where('jurisdiction_code', '=', target.code)
    .where('year', '=', body.year)
    .orderBy('id')
    .execute();
  // Each item keeps its row by its key (indicator, or a manual item's name): the evidence attached to it stays.
  const files = await attachmentsOf(
    db,
    'assessment_item',
    before.map((b) => Number(b.id)),
  );
  const plan = planReplacement(
    before.map((b) => ({
      id: Number(b.id),
      kind: b.kind,
      indicator: b.indicator,
      label: b.label,
      files: files.get(Number(b.id))?.length ?? 0,
    })),
    items,
    target.name,
  );
  if (!plan.ok)
    throw new Problem(409, '有佐证材料的考核项目不能删除', plan.message, [
      { field: plan.field, message: plan.message },
    ]);
  const columns = (i: AssessmentItem) =>
    i.kind === 'indicator'
      ? { weight: i.weight, indicator: i.indicator, target: i.target, label: null, manual_score: null, evidence: null }
      : {
          weight: i.weight,
          indicator: null,
          target: null,
          label: i.label,
          manual_score: i.manualScore,
          evidence: i.evidence,
        };
  if (plan.remove.length) await db.deleteFrom('assessment_item').where('id', 'in', plan.remove).execute();
  for (const u of plan.update)
    await db
      .updateTable('assessment_item')
      .set({ ...columns(u.item), updated_at: new Date() })
      .where('id', '=', u.id)
      .execute();
  if (plan.insert.length) {
    await db
      .insertInto('assessment_item')
      .values(
        plan.insert.map((i) => ({
          year: body.year,
          jurisdiction_code: target.code,
          scope_key: target.scope_key,
          kind: i.kind,
          ...columns(i),
        })),
      )
      .execute();
  }
  audit({
    action: 'assessment.set',
    objectType: 'assessment_item',
    objectId: `${target.code}/${body.year}`,
    detail: { before: before.map(({ id: _id, ...b }) => b), after: items },
  });
  // The year reaches each child with items as a task (the items are its body).
  await deployAssessmentYear(
    s,
    actorOf(user),
    user.jurisdictionCode,
    body.year,
    evidenceDeadline(body.year),
    new Date(),
  );
}
