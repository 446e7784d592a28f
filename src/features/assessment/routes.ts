import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Problem, forbidden } from '../../http/errors.js';
import { runScoped, type Scoped } from '../../db/scoped.js';
import { evidenceClosedMessage, evidenceDeadline, evidenceOpen } from '../../domain/assessment/evidence.js';
import { registerAttachmentOwner } from '../attachments/index.js';
import { evidenceItem, ownAndParent, ownItems, scoreChildren } from './queries.js';
import { setItems } from './writes.js';
import { exportAssessments, getOwnAssessment, listAssessments, setAssessmentItems } from './contract.js';
import { schemaOf } from '../../http/contract.js';
import { sendXlsx } from '../../http/xlsx.js';
import { nodeInScope } from '../../db/subtree.js';
import { localDate } from '../../domain/time/zone.js';

const tags = ['年度考核'];

// Evidence on a manual item: only the assessed jurisdiction itself adds it, and only until the year's deadline.
registerAttachmentOwner('assessment_item', {
  label: '考核项目',
  async writable(s: Scoped, id: number) {
    const item = await evidenceItem(s.db, id);
    if (item.scope_key !== s.who.scopeKey) throw forbidden('只有被考核的辖区可以为本级考核项目提交佐证材料');
    if (item.kind !== 'manual')
      throw new Problem(422, '不符合规定', '指标类考核项目按数据自动评分，不需要上传佐证材料', [
        { field: 'ownerId', message: '只有人工评分项可以上传佐证材料' },
      ]);
    if (!evidenceOpen(item.year, localDate()))
      throw new Problem(422, '已过截止日期', evidenceClosedMessage(item.year), [
        { field: 'file', message: evidenceClosedMessage(item.year) },
      ]);
    return { scopeKey: item.scope_key };
  },
});

/** 年度目标责任考核: targets and manual items per sub-jurisdiction and year, set by the level above; scored from live figures; ranked; exported. */
export async function assessmentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listAssessments.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listAssessments, tags),
      querystring: listAssessments.query,
      response: { 200: listAssessments.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        return {
          node: { code: node.code, name: node.name, level: node.level },
          year: req.query.year,
          ...(await scoreChildren(db, node, req.query.year)),
        };
      }),
  });

  r.get(getOwnAssessment.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getOwnAssessment, tags),
      querystring: getOwnAssessment.query,
      response: { 200: getOwnAssessment.response },
    },
    handler: async (req) => {
      const who = req.principal();
      const y = req.query.year ?? Number(localDate().slice(0, 4)); // this year by the deployment's calendar
      const db = app.ctx.db;
      const { own, parent } = await ownAndParent(db, req.user!.jurisdictionCode);
      // The rank needs the siblings' scores, which only the level above can read: scored in its scope,
      // and nothing but this node's own row and the number ranked leaves this handler.
      const all = await runScoped(db, { ...who, scopeKey: parent.scope_key }, (s) => scoreChildren(s.db, parent, y));
      const mine = all.children.find((c) => c.code === own.code);
      const ranked = all.children.filter((c) => c.rank !== null).length;
      return req.scoped(async (s) => {
        const items = await ownItems(s.db, own.code, y, mine?.items ?? []);
        return {
          node: { code: own.code, name: own.name, level: own.level },
          year: y,
          source: all.source,
          asOf: all.asOf,
          total: mine?.total ?? 0,
          weight: mine?.weight ?? 0,
          rank: mine?.rank ?? null,
          ranked,
          evidenceDeadline: evidenceDeadline(y),
          evidenceOpen: evidenceOpen(y, localDate()),
          items,
        };
      });
    },
  });

  r.put(setAssessmentItems.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(setAssessmentItems, tags), params: setAssessmentItems.params, body: setAssessmentItems.body },
    handler: async (req, reply) => {
      await req.scoped((s) => setItems(s, req.user!, req.params.code, req.body));
      return reply.code(204).send();
    },
  });

  r.get(exportAssessments.path, {
    config: { access: 'data.read' },
    schema: { tags, summary: '导出年度考核结果（xlsx：排名与明细，导出留痕）', querystring: exportAssessments.query },
    handler: async (req, reply) => {
      const { node, children } = await req.scoped(async ({ db, audit }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        const { children } = await scoreChildren(db, node, req.query.year);
        audit({
          action: 'assessment.export',
          objectType: 'assessment_item',
          objectId: `${node.code}/${req.query.year}`,
          detail: { rows: children.length },
        });
        return { node, children };
      });
      const pct = (unit: string | null, v: number | null) =>
        v === null ? null : unit === '%' ? `${(v * 100).toFixed(1)}%` : v;
      return sendXlsx(
        reply,
        `${node.name}${req.query.year}年度目标责任考核.xlsx`,
        '考核排名',
        [
          { header: '排名', width: 8, value: (c) => c.rank },
          { header: '辖区', width: 20, value: (c) => c.name },
          { header: '得分', width: 10, value: (c) => c.total },
          { header: '满分', width: 10, value: (c) => c.weight },
        ],
        children,
        [
          {
            name: '考核明细',
            headers: ['辖区', '考核项目', '类别', '目标值', '实际值', '分值', '得分', '评分依据'],
            rows: children.flatMap((c) =>
              c.items.map((i) => [
                c.name,
                i.label,
                i.kind === 'indicator' ? '指标（自动评分）' : '人工评分',
                pct(i.unit, i.target),
                pct(i.unit, i.actual),
                i.weight,
                i.score,
                i.evidence,
              ]),
            ),
          },
        ],
      );
    },
  });
}
