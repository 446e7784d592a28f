import type { FastifyInstance } from 'fastify';
import { isUnitKey } from '../../domain/auth/binding.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { decryptField } from '../../crypto/field.js';
import { maskPhone } from '../../domain/identifiers/id-number.js';
import { ACTION_LABEL, TIMED_STEPS, allowedActions, type CaseAction } from '../../domain/cases/engine.js';
import { transferTarget } from '../../domain/cases/routing.js';
import { badRequest, forbidden, notFound } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import {
  actOnAppeal,
  appealFigures,
  createServicePost,
  exportAppeals,
  getAppeal,
  listAppeals,
  listServicePosts,
  revealAppeal,
  updateServicePost,
} from './contract.js';
import { sendXlsx } from '../../http/xlsx.js';
import { nodeInScope } from '../../db/subtree.js';
import { moveCase, runEscalation, scheduleEscalation } from './engine.js';
import { appealPublicRoutes } from './public.js';
import {
  caseDetailRow,
  caseEvents,
  caseFigures,
  caseForUpdate,
  casePage,
  caseScope,
  caseSecrets,
  filteredCases,
  nodeByCode,
  parentOfScope,
  placeUnit,
  servicePostById,
  servicePostPage,
  toCaseItem,
  visitLines,
} from './queries.js';
import { changeServicePost, insertServicePost } from './writes.js';
import { visitRoutes } from './visits.js';
import { localDateTime, today } from '../../domain/time/zone.js';
import { exportReadRows, exportable } from '../../http/export-route.js';

/** How often the app looks for overdue cases (the job is cheap when none are due). */
const ESCALATION_EVERY_MS = 10 * 60_000;

/** 诉求 (one case engine, several doors): the work list, a case's drawer and moves, figures, service posts; plus the public door and visits. */
export async function appealRoutes(app: FastifyInstance): Promise<void> {
  await app.register(appealPublicRoutes);
  await app.register(visitRoutes);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { keys, settings } = app.ctx;

  const job = scheduleEscalation(
    async () => runEscalation(app.ctx.db, await settings.get('cases'), new Date()),
    ESCALATION_EVERY_MS,
    app.log,
    app.ctx.database.health,
  );
  app.addHook('onReady', async () => job.start());
  app.addHook('onClose', async () => job.stop());

  r.get(listAppeals.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listAppeals, ['诉求']),
      querystring: listAppeals.query,
      response: { 200: listAppeals.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        return casePage(db, req.query, req.user!);
      }),
  });

  r.get(exportAppeals.path, {
    config: { access: 'data.read' },
    schema: { tags: ['诉求'], summary: exportAppeals.summary, querystring: exportAppeals.query },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (
          await filteredCases(db, req.query, req.user!)
        )
          .orderBy('c.id', 'desc')
          .limit(exportReadRows())
          .execute()
          .then(exportable);
        audit({
          action: 'appeal.export',
          objectType: 'appeal_case',
          detail: { filters: req.query, rows: rows.length },
        });
        return rows.map(toCaseItem(await visitLines(db)));
      });
      return sendXlsx(
        reply,
        `诉求-${today()}.xlsx`,
        '诉求',
        [
          { header: '编号', width: 8, value: (c) => c.id },
          { header: '来源', width: 10, value: (c) => c.doorLabel },
          { header: '类别', width: 14, value: (c) => c.categoryLabel },
          { header: '内容', width: 50, value: (c) => c.content },
          { header: '地点', width: 20, value: (c) => c.place },
          { header: '市场主体', width: 28, value: (c) => c.entityName },
          { header: '承办单位', width: 20, value: (c) => c.unitName },
          { header: '状态', width: 8, value: (c) => c.stateLabel },
          { header: '提交时间', width: 18, value: (c) => localDateTime(c.createdAt) },
          { header: '本环节时限', width: 18, value: (c) => localDateTime(c.dueAt) },
          { header: '超时', width: 6, value: (c) => (c.overdue ? '是' : '') },
          { header: '督办层级', width: 8, value: (c) => c.escalationLevel || '' },
          { header: '答复', width: 40, value: (c) => c.reply },
          { header: '满意度', width: 8, value: (c) => c.satisfaction },
        ],
        rows,
      );
    },
  });

  r.get(appealFigures.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(appealFigures, ['诉求']),
      querystring: appealFigures.query,
      response: { 200: appealFigures.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) =>
        caseFigures(db, await nodeInScope(db, req.user!, req.query.under), new Date(), isUnitKey(req.user!.bound)),
      ),
  });

  r.get(getAppeal.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getAppeal, ['诉求']), params: getAppeal.params, response: { 200: getAppeal.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const row = await caseDetailRow(db, req.params.id, req.user!);
        if (!row) throw notFound('诉求');
        const events = await caseEvents(db, row.id);
        // Only the responsible unit's subtree acts on a case; the raising unit follows it.
        const mine = row.scope_key.startsWith(req.user!.scopeKey);
        return {
          ...toCaseItem(await visitLines(db))(row),
          contact: row.contact_enc ? maskPhone(decryptField(keys, row.contact_enc)) : null,
          // ID numbers or phones were masked in the content: the original is kept for the reveal.
          contentMasked: row.content_enc !== null,
          feedbackComment: row.feedback_comment,
          // The time each finished step took (summed over reopenings), in hours.
          stepHours: (Object.keys(TIMED_STEPS) as (keyof typeof TIMED_STEPS)[]).map((s) => ({
            step: s,
            label: TIMED_STEPS[s],
            hours: row[`${s}_ms`] == null ? null : Math.round((Number(row[`${s}_ms`]) / 3_600_000) * 100) / 100,
          })),
          events: events.map((e) => ({
            id: Number(e.id),
            at: new Date(e.at).toISOString(),
            actor: e.actor,
            actorName: e.display_name ?? null,
            action: e.action,
            actionLabel: ACTION_LABEL[e.action as CaseAction] ?? EVENT_LABEL[e.action] ?? e.action,
            fromState: e.from_state,
            toState: e.to_state,
            note: e.note,
          })),
          actions: mine ? allowedActions(row.state, 'staff') : [],
          mine,
        };
      }),
  });

  r.post(revealAppeal.path, {
    config: { access: 'personal.reveal' },
    schema: {
      ...schemaOf(revealAppeal, ['诉求']),
      params: revealAppeal.params,
      response: { 200: revealAppeal.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const c = await caseSecrets(db, req.params.id);
        if (!c) throw notFound('诉求');
        if (!c.scope_key.startsWith(req.user!.scopeKey)) throw forbidden('只有承办单位可以查看提出人的联系电话');
        audit({
          action: 'personal.reveal',
          objectType: 'appeal_case',
          objectId: c.id,
          detail: { fields: c.content_enc ? ['phone', 'content'] : ['phone'] },
        });
        return {
          phone: c.contact_enc ? decryptField(keys, c.contact_enc) : null,
          content: c.content_enc ? decryptField(keys, c.content_enc) : null,
        };
      }),
  });

  r.post(actOnAppeal.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(actOnAppeal, ['诉求']),
      params: actOnAppeal.params,
      body: actOnAppeal.body,
      response: { 200: actOnAppeal.response },
    },
    handler: async (req) => {
      const deadlines = await settings.get('cases'); // read before the scoped transaction (PGlite is one connection)
      return req.scoped(async ({ db, audit }) => {
        const b = req.body;
        if (b.action === 'resolve' && !b.reply)
          throw badRequest('办结须填写答复', [{ field: 'reply', message: '请填写给提出人的答复' }]);
        if (b.action === 'note' && !b.note)
          throw badRequest('请填写办理情况', [{ field: 'note', message: '请填写办理情况' }]);
        // Closing a case its person gets no answer to (a duplicate, no content) says why, for the record.
        if (b.action === 'close' && !b.note)
          throw badRequest('关闭须写明原因', [{ field: 'note', message: '请填写关闭原因（如重复诉求、无实际内容）' }]);
        if (b.action === 'route' && !b.unitCode)
          throw badRequest('转办须选择承办单位', [{ field: 'unitCode', message: '请选择承办单位' }]);
        const seen = await caseScope(db, req.params.id);
        if (!seen) throw notFound('诉求');
        // The raising unit reads a case it handed on, but only the responsible unit's subtree acts on it (and may lock it).
        if (!seen.scope_key.startsWith(req.user!.scopeKey)) throw forbidden('该诉求不由本单位承办，不能办理');
        const c = await caseForUpdate(db, req.params.id);
        const unit = b.action === 'route' ? await transferUnit(b.unitCode!, b.line ?? null) : undefined;
        const to = await moveCase(
          db,
          c,
          b.action,
          { actor: 'staff', actorId: req.user!.id },
          { note: b.note, reply: b.reply, unit },
          deadlines,
          new Date(),
        );
        audit({
          action: `appeal.${b.action}`,
          objectType: 'appeal_case',
          objectId: c.id,
          detail: { from: c.state, to, ...(unit ? { unit: { code: unit.code, line: unit.line } } : {}) },
        });
        return { id: Number(c.id), state: to };

        /** A transfer goes to a node in the caller's subtree, or up to the node just above the case's unit. */
        async function transferUnit(code: string, line: string | null) {
          const j = await nodeByCode(db, code);
          // Up is one step, to the parent of the case's node: a station cannot skip its county.
          const up = j && (await parentOfScope(db, c.scope_key)) === j.code;
          if (!j || (!j.scope_key.startsWith(req.user!.scopeKey) && !up)) throw notFound('承办单位');
          if (line && !(await visitLines(db)).has(line))
            throw badRequest('业务条线不存在', [{ field: 'line', message: '业务条线不存在' }]);
          const t = transferTarget({ code: j.code, level: j.level, parentCode: j.parent_code }, line);
          if (!t.ok) throw badRequest(t.reason, [{ field: 'unitCode', message: t.reason }]);
          return placeUnit(db, t.unit);
        }
      });
    },
  });

  // ── Service posts (驿站) ─────────────────────────────────────────────────────────────────
  r.get(listServicePosts.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listServicePosts, ['诉求']),
      querystring: listServicePosts.query,
      response: { 200: listServicePosts.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        return servicePostPage(db, req.query);
      }),
  });
  r.post(createServicePost.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(createServicePost, ['诉求']),
      body: createServicePost.body,
      response: { 201: createServicePost.response },
    },
    handler: async (req, reply) => {
      const id = await req.scoped(async ({ db, audit }) => {
        const place = await placeOf(db, req.body.jurisdictionCode, req.user!.scopeKey);
        const b = req.body;
        const row = await insertServicePost(db, place, b);
        audit({
          action: 'service_post.create',
          objectType: 'service_post',
          objectId: row.id,
          detail: { name: b.name },
        });
        return row.id;
      });
      return reply.code(201).send({ id: Number(id) });
    },
  });
  r.patch(updateServicePost.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateServicePost, ['诉求']),
      params: updateServicePost.params,
      body: updateServicePost.body,
      response: { 200: updateServicePost.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const p = await servicePostById(db, req.params.id);
        if (!p) throw notFound('驿站');
        const b = req.body;
        await changeServicePost(db, p, b);
        audit({
          action: 'service_post.update',
          objectType: 'service_post',
          objectId: p.id,
          detail: { fields: Object.keys(b) },
        });
        return { id: Number(p.id) };
      }),
  });

  async function placeOf(db: Parameters<typeof nodeByCode>[0], code: string, myKey: string) {
    const j = await nodeByCode(db, code);
    if (!j || !j.scope_key.startsWith(myKey) || (j.level !== 'county' && j.level !== 'station'))
      throw notFound('县（区）或基层所');
    return { code: j.code, scope_key: j.scope_key, county: j.level === 'station' ? j.parent_code! : j.code };
  }
}

const EVENT_LABEL: Record<string, string> = { intake: '提交', escalate: '超时督办' };
