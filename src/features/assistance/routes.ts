import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OUTCOME_LABEL } from '../../domain/platforms/labels.js';
import { conflict, forbidden } from '../../http/errors.js';
import { actorOf } from '../worktasks/index.js';
import { idParam } from '../../http/paging.js';
import { sendXlsx, type Column } from '../../http/xlsx.js';
import { nodeInScope } from '../../db/subtree.js';
import { schemaOf } from '../../http/contract.js';
import {
  addParticipant,
  assistanceFigures,
  createProgram,
  exportPrograms,
  getProgram,
  listPrograms,
  recordOutcome,
  updateProgram,
} from './contract.js';
import { today } from '../../domain/time/zone.js';
import {
  assistanceFiguresUnder,
  checkLine,
  loadProgram,
  programDetail,
  programsForExport,
  programsPage,
  type toItem,
} from './queries.js';
import {
  addProgramParticipant,
  cancelAssistanceProgram,
  createAssistanceProgram,
  endsBeforeStart,
  recordParticipantOutcome,
  updateAssistanceProgram,
} from './writes.js';

const TAGS = ['帮扶'];

const COLUMNS: Column<ReturnType<ReturnType<typeof toItem>>>[] = [
  { header: '帮扶项目', width: 30, value: (a) => a.name },
  { header: '业务条线', width: 10, value: (a) => a.businessLineLabel },
  { header: '开始日期', width: 12, value: (a) => a.startsOn },
  { header: '结束日期', width: 12, value: (a) => a.endsOn },
  { header: '组织单位', width: 16, value: (a) => a.organizer },
  { header: '参与主体数', width: 10, value: (a) => a.entities },
  { header: '问题已解决', width: 10, value: (a) => a.resolved },
  { header: '有所改善', width: 10, value: (a) => a.improved },
  { header: '未解决', width: 10, value: (a) => a.unresolved },
  { header: '帮扶中', width: 10, value: (a) => a.ongoing },
];

/** Assistance programs (帮扶): a business line, a period, the entities taking part, what was done and the outcome for each. */
export async function assistanceRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listPrograms.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listPrograms, TAGS),
      response: { 200: listPrograms.response },
      querystring: listPrograms.query,
    },
    handler: (req) => req.scoped(({ db }) => programsPage(db, req.user!.scopeKey, req.query)),
  });

  r.get(exportPrograms.path, {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '导出帮扶项目及参与主体（xlsx，导出留痕）', querystring: exportPrograms.query },
    handler: async (req, reply) => {
      const { rows, entities } = await req.scoped(async ({ db, audit }) => {
        const found = await programsForExport(db, req.user!.scopeKey, req.query);
        audit({
          action: 'assistance.export',
          objectType: 'assistance_program',
          detail: { filters: req.query, rows: found.rows.length, entities: found.entities.length },
        });
        return found;
      });
      const nameOf = new Map(rows.map((a) => [a.id, a.name]));
      return sendXlsx(reply, `帮扶项目-${today()}.xlsx`, '帮扶项目', COLUMNS, rows, [
        {
          name: '参与主体',
          headers: [
            '帮扶项目',
            '市场主体',
            '统一社会信用代码',
            '参与日期',
            '存在问题',
            '帮扶措施',
            '帮扶成效',
            '成效说明',
          ],
          rows: entities.map((e) => [
            nameOf.get(e.program_id) ?? '',
            e.name,
            e.uscc,
            e.joined_on,
            e.problem,
            e.actions,
            OUTCOME_LABEL[e.outcome],
            e.outcome_note,
          ]),
        },
      ]);
    },
  });

  r.post(createProgram.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createProgram, TAGS), response: { 201: createProgram.response }, body: createProgram.body },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.endsOn < b.startsOn) throw endsBeforeStart();
      const id = await req.scoped(async (s) => {
        await checkLine(s.db, b.businessLine);
        const node = await nodeInScope(s.db, req.user!, b.jurisdictionCode);
        return createAssistanceProgram(s, actorOf(req.user!), node, b);
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getProgram.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getProgram, TAGS), response: { 200: getProgram.response }, params: getProgram.params },
    handler: (req) => req.scoped(({ db }) => programDetail(db, req.user!.scopeKey, req.params.id)),
  });

  r.patch(updateProgram.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(updateProgram, TAGS),
      response: { 200: updateProgram.response },
      params: updateProgram.params,
      body: updateProgram.body,
    },
    handler: (req) =>
      req.scoped(async (s) => {
        const before = await loadProgram(s.db, req.params.id);
        if (before.cancelled_at) throw conflict('帮扶项目已取消，不能修改');
        if (!before.scope_key.startsWith(req.user!.scopeKey))
          throw forbidden('上级组织的帮扶项目只能由上级修改；本级可登记参与主体和帮扶成效');
        return updateAssistanceProgram(s, actorOf(req.user!), before, req.body);
      }),
  });

  r.post('/assistance/programs/:id/cancel', {
    config: { access: 'data.write' },
    schema: {
      tags: TAGS,
      summary: '取消帮扶项目（写明原因，组织单位）；下发的帮扶任务随之撤销',
      params: idParam,
      body: z.strictObject({ reason: z.string().trim().min(1, '请写明取消原因').max(500) }),
      response: { 204: z.null() },
    },
    handler: async (req, reply) => {
      await req.scoped(async (s) => {
        const a = await loadProgram(s.db, req.params.id);
        if (!a.scope_key.startsWith(req.user!.scopeKey)) throw forbidden('上级组织的帮扶项目只能由上级取消');
        if (a.cancelled_at) return;
        await cancelAssistanceProgram(s, actorOf(req.user!), a, req.body.reason);
      });
      return reply.code(204).send(null);
    },
  });

  r.post(addParticipant.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(addParticipant, TAGS),
      response: { 201: addParticipant.response },
      params: addParticipant.params,
      body: addParticipant.body,
    },
    handler: async (req, reply) => {
      const id = await req.scoped(async (s) =>
        addProgramParticipant(s, await loadProgram(s.db, req.params.id), req.body),
      );
      return reply.code(201).send({ id });
    },
  });

  r.patch(recordOutcome.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(recordOutcome, TAGS),
      response: { 200: recordOutcome.response },
      params: recordOutcome.params,
      body: recordOutcome.body,
    },
    handler: (req) => req.scoped((s) => recordParticipantOutcome(s, req.params.id, req.params.key, req.body)),
  });

  r.get(assistanceFigures.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(assistanceFigures, TAGS),
      response: { 200: assistanceFigures.response },
      querystring: assistanceFigures.query,
    },
    handler: (req) =>
      req.scoped(async ({ db }) =>
        assistanceFiguresUnder(db, await nodeInScope(db, req.user!, req.query.under), req.query.year),
      ),
  });
}
