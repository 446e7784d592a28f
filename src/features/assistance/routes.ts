import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { OUTCOME_LABEL } from '../../domain/platforms/labels.js';
import { badRequest, conflict, forbidden, notFound } from '../../http/errors.js';
import { actorOf, closeDeployed, deployAssistanceProgram } from '../worktasks/index.js';
import { containing, idParam, pageFrom, underOrAbove } from '../../http/paging.js';
import { sendXlsx, type Column } from '../../http/xlsx.js';
import { figuresByChild, nodeInScope } from '../../db/subtree.js';
import { codeList } from '../dictionaries/index.js';
import { schemaOf } from '../../http/contract.js';
import { addParticipant, assistanceFigures, createProgram, exportPrograms, getProgram, listPrograms, recordOutcome, updateProgram } from './contract.js';
import { today } from '../../domain/time/zone.js';
import { expectWritten } from '../../db/writes.js';

type Tx = Transaction<DB>;
const TAGS = ['帮扶'];

type Filters = { under?: string; line?: string; year?: number; q?: string };


/** Programs the caller reads (run in its subtree, or above it: RLS), with the entities its subtree brought in. */
function programList(db: Tx, scopeKey: string) {
  const n = (outcome: string) => sql<number>`(SELECT count(*)::int FROM assistance_entity ae WHERE ae.program_id = a.id AND ae.outcome = ${outcome})`;
  return db.selectFrom('assistance_program as a').innerJoin('jurisdiction as j', 'j.code', 'a.jurisdiction_code')
    .select(['a.id', 'a.name', 'a.business_line', 'a.starts_on', 'a.ends_on', 'a.description', 'a.scope_key', 'a.cancelled_at', 'a.cancel_reason', 'j.name as organizer'])
    .select(sql<boolean>`starts_with(a.scope_key, ${scopeKey})`.as('mine'))
    .select(sql<number>`(SELECT count(*)::int FROM assistance_entity ae WHERE ae.program_id = a.id)`.as('entities'))
    .select([n('resolved').as('resolved'), n('improved').as('improved'), n('unresolved').as('unresolved'), n('ongoing').as('ongoing')]);
}

async function filtered(db: Tx, scopeKey: string, f: Filters) {
  let q = programList(db, scopeKey);
  // Under a node: run there or below, or run above it (it reaches the node).
  if (f.under) {
    q = q.where(await underOrAbove(db, 'a.scope_key', f.under));
  }
  if (f.line) q = q.where('a.business_line', '=', f.line);
  if (f.year) q = q.where(sql<boolean>`extract(year FROM a.starts_on) <= ${f.year} AND extract(year FROM a.ends_on) >= ${f.year}`);
  if (f.q) q = q.where('a.name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<ReturnType<typeof programList>['execute']>>[number];
const toItem = (lines: Map<string, string>) => (a: Row) => ({
  id: a.id, name: a.name, businessLine: a.business_line, businessLineLabel: lines.get(a.business_line) ?? a.business_line, startsOn: a.starts_on, endsOn: a.ends_on,
  description: a.description, organizer: a.organizer, mine: a.mine, cancelled: a.cancelled_at !== null, cancelReason: a.cancel_reason, entities: a.entities, resolved: a.resolved, improved: a.improved, unresolved: a.unresolved, ongoing: a.ongoing,
});

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

async function loadProgram(db: Tx, id: number) {
  const a = await db.selectFrom('assistance_program').selectAll().where('id', '=', id).executeTakeFirst();
  if (!a) throw notFound('帮扶项目');
  return a;
}

async function checkLine(db: Tx, line: string) {
  const lines = await codeList(db, 'business_line');
  if (!lines.has(line)) throw badRequest('请选择业务条线', [{ field: 'businessLine', message: '业务条线不在清单中' }]);
}


/** Assistance programs (帮扶): a business line, a period, the entities taking part, what was done and the outcome for each. */
export async function assistanceRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listPrograms.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listPrograms, TAGS), response: { 200: listPrograms.response }, querystring: listPrograms.query },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const lines = await codeList(db, 'business_line');
        return pageFrom(await filtered(db, req.user!.scopeKey, req.query), req.query, (q) => q.orderBy('a.starts_on', 'desc').orderBy('a.id', 'desc'), toItem(lines));
      }),
  });

  r.get(exportPrograms.path, {
    config: { access: 'data.read' },
    schema: { tags: TAGS, summary: '导出帮扶项目及参与主体（xlsx，导出留痕）', querystring: exportPrograms.query },
    handler: async (req, reply) => {
      const { rows, entities } = await req.scoped(async ({ db, audit }) => {
        const lines = await codeList(db, 'business_line');
        const rows = (await (await filtered(db, req.user!.scopeKey, req.query)).orderBy('a.starts_on', 'desc').orderBy('a.id', 'desc').limit(100_000).execute()).map(toItem(lines));
        const ids = rows.map((a) => a.id);
        const entities = ids.length ? await db.selectFrom('assistance_entity as ae').innerJoin('entity as e', 'e.id', 'ae.entity_id')
          .select(['ae.program_id', 'e.name', 'e.uscc', 'ae.joined_on', 'ae.problem', 'ae.actions', 'ae.outcome', 'ae.outcome_note'])
          .where('ae.program_id', 'in', ids).orderBy('ae.program_id').orderBy('e.name').execute() : [];
        audit({ action: 'assistance.export', objectType: 'assistance_program', detail: { filters: req.query, rows: rows.length, entities: entities.length } });
        return { rows, entities };
      });
      const nameOf = new Map(rows.map((a) => [a.id, a.name]));
      return sendXlsx(reply, `帮扶项目-${today()}.xlsx`, '帮扶项目', COLUMNS, rows, [{
        name: '参与主体',
        headers: ['帮扶项目', '市场主体', '统一社会信用代码', '参与日期', '存在问题', '帮扶措施', '帮扶成效', '成效说明'],
        rows: entities.map((e) => [nameOf.get(e.program_id) ?? '', e.name, e.uscc, e.joined_on, e.problem, e.actions, OUTCOME_LABEL[e.outcome], e.outcome_note]),
      }]);
    },
  });

  r.post(createProgram.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createProgram, TAGS), response: { 201: createProgram.response }, body: createProgram.body },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.endsOn < b.startsOn) throw badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);
      const id = await req.scoped(async (s) => {
        const { db, audit } = s;
        await checkLine(db, b.businessLine);
        const node = await nodeInScope(db, req.user!, b.jurisdictionCode);
        const row = await db.insertInto('assistance_program').values({
          name: b.name, business_line: b.businessLine, starts_on: b.startsOn, ends_on: b.endsOn, description: b.description ?? null, jurisdiction_code: node.code, scope_key: node.scope_key,
        }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'assistance.create', objectType: 'assistance_program', objectId: row.id, detail: { name: b.name, businessLine: b.businessLine, jurisdiction: node.code } });
        // The program reaches the nodes below its organizer as a task (the program is its body).
        await deployAssistanceProgram(s, actorOf(req.user!), Number(row.id), new Date());
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getProgram.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getProgram, TAGS), response: { 200: getProgram.response }, params: getProgram.params },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const lines = await codeList(db, 'business_line');
        const a = await programList(db, req.user!.scopeKey).where('a.id', '=', req.params.id).executeTakeFirst();
        if (!a) throw notFound('帮扶项目');
        const entities = await db.selectFrom('assistance_entity as ae').innerJoin('entity as e', 'e.id', 'ae.entity_id')
          .select(['ae.id', 'ae.entity_id', 'e.name', 'ae.joined_on', 'ae.problem', 'ae.actions', 'ae.outcome', 'ae.outcome_note'])
          .where('ae.program_id', '=', a.id).orderBy('e.name').execute();
        return {
          ...toItem(lines)(a),
          participants: entities.map((e) => ({
            id: e.id, entityId: e.entity_id, entityName: e.name, joinedOn: e.joined_on, problem: e.problem, actions: e.actions, outcome: e.outcome, outcomeLabel: OUTCOME_LABEL[e.outcome], outcomeNote: e.outcome_note,
          })),
        };
      }),
  });

  r.patch(updateProgram.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(updateProgram, TAGS), response: { 200: updateProgram.response }, params: updateProgram.params, body: updateProgram.body },
    handler: (req) =>
      req.scoped(async (s) => {
        const { db, audit } = s;
        const b = req.body;
        const before = await loadProgram(db, req.params.id);
        if (before.cancelled_at) throw conflict('帮扶项目已取消，不能修改');
        if (!before.scope_key.startsWith(req.user!.scopeKey)) throw forbidden('上级组织的帮扶项目只能由上级修改；本级可登记参与主体和帮扶成效');
        if (b.businessLine) await checkLine(db, b.businessLine);
        const startsOn = b.startsOn ?? before.starts_on;
        const endsOn = b.endsOn ?? before.ends_on;
        if (endsOn < startsOn) throw badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);
        expectWritten(await db.updateTable('assistance_program').set({
          name: b.name ?? before.name, business_line: b.businessLine ?? before.business_line, starts_on: startsOn, ends_on: endsOn,
          description: b.description ?? before.description, updated_at: new Date(),
        }).where('id', '=', before.id).executeTakeFirst(), '帮扶项目', { action: 'assistance.update', objectType: 'assistance_program', objectId: before.id });
        audit({ action: 'assistance.update', objectType: 'assistance_program', objectId: before.id, detail: { before: { name: before.name, startsOn: before.starts_on, endsOn: before.ends_on }, after: { name: b.name ?? before.name, startsOn, endsOn } } });
        await deployAssistanceProgram(s, actorOf(req.user!), before.id, new Date());
        return { id: before.id };
      }),
  });

  r.post('/assistance/programs/:id/cancel', {
    config: { access: 'data.write' },
    schema: { tags: TAGS, summary: '取消帮扶项目（写明原因，组织单位）；下发的帮扶任务随之撤销', params: idParam, body: z.strictObject({ reason: z.string().trim().min(1, '请写明取消原因').max(500) }), response: { 204: z.null() } },
    handler: async (req, reply) => {
      await req.scoped(async (s) => {
        const a = await loadProgram(s.db, req.params.id);
        if (!a.scope_key.startsWith(req.user!.scopeKey)) throw forbidden('上级组织的帮扶项目只能由上级取消');
        if (a.cancelled_at) return;
        const now = new Date();
        await s.db.updateTable('assistance_program').set({ cancelled_at: now, cancel_reason: req.body.reason, updated_at: now }).where('id', '=', a.id).execute();
        await closeDeployed(s, actorOf(req.user!), 'assistance_program', a.jurisdiction_code, String(a.id), `帮扶项目已取消：${req.body.reason}`, now);
        s.audit({ action: 'assistance.cancel', objectType: 'assistance_program', objectId: a.id, detail: { reason: req.body.reason } });
      });
      return reply.code(204).send(null);
    },
  });

  r.post(addParticipant.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(addParticipant, TAGS), response: { 201: addParticipant.response }, params: addParticipant.params, body: addParticipant.body },
    handler: async (req, reply) => {
      const b = req.body;
      const id = await req.scoped(async ({ db, audit }) => {
        const a = await loadProgram(db, req.params.id);
        const e = await db.selectFrom('entity').select(['id', 'scope_key']).where('id', '=', b.entityId).executeTakeFirst();
        if (!e) throw notFound('市场主体');
        if (!e.scope_key.startsWith(a.scope_key)) throw badRequest('该主体不在帮扶项目组织单位的辖区内', [{ field: 'entityId', message: '请选择项目辖区内的主体' }]);
        const joinedOn = b.joinedOn ?? today();
        if (joinedOn > today()) throw badRequest('参与日期不能晚于今天', [{ field: 'joinedOn', message: '参与日期不能晚于今天' }]);
        const row = await db.insertInto('assistance_entity').values({ program_id: a.id, entity_id: e.id, joined_on: joinedOn, problem: b.problem ?? null, scope_key: e.scope_key })
          .returning('id').executeTakeFirstOrThrow();
        audit({ action: 'assistance.entity_add', objectType: 'assistance_program', objectId: a.id, detail: { entityId: e.id, rowId: row.id } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.patch(recordOutcome.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(recordOutcome, TAGS), response: { 200: recordOutcome.response }, params: recordOutcome.params, body: recordOutcome.body },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const before = await db.selectFrom('assistance_entity').selectAll().where('id', '=', req.params.key).where('program_id', '=', req.params.id).executeTakeFirst();
        if (!before) throw notFound('参与帮扶的主体');
        const outcome = b.outcome ?? before.outcome;
        const actions = b.actions === undefined ? before.actions : b.actions;
        // An outcome other than "ongoing" says what was done: it cannot stand without the measures taken.
        if (outcome !== 'ongoing' && !actions) throw badRequest('登记帮扶成效须先填写帮扶措施', [{ field: 'actions', message: '请填写帮扶措施' }]);
        await db.updateTable('assistance_entity').set({
          problem: b.problem === undefined ? before.problem : b.problem, actions, outcome, outcome_note: b.outcomeNote === undefined ? before.outcome_note : b.outcomeNote, updated_at: new Date(),
        }).where('id', '=', before.id).execute();
        audit({ action: 'assistance.outcome', objectType: 'assistance_program', objectId: before.program_id, detail: { rowId: before.id, before: { outcome: before.outcome }, after: { outcome } } });
        return { id: before.id, outcome };
      }),
  });

  r.get(assistanceFigures.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(assistanceFigures, TAGS), response: { 200: assistanceFigures.response }, querystring: assistanceFigures.query },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const node = await nodeInScope(db, req.user!, req.query.under);
        const y = req.query.year;
        // A program counts in a year it runs; an entity line in the year it joined.
        const inYear = (from: string, to: string) => (y ? sql`AND extract(year FROM ${sql.ref(from)}) <= ${y} AND extract(year FROM ${sql.ref(to)}) >= ${y}` : sql``);
        return figuresByChild<{ programs: number; entities: number; resolved: number; improved: number; unresolved: number; ongoing: number }>(db, node, (k) => {
          const lines = (outcome: string | null) => sql`(SELECT count(*)::int FROM assistance_entity ae WHERE starts_with(ae.scope_key, ${k})
            ${outcome ? sql`AND ae.outcome = ${outcome}` : sql``} ${inYear('ae.joined_on', 'ae.joined_on')})`;
          return sql`(SELECT count(*)::int FROM assistance_program a WHERE starts_with(a.scope_key, ${k}) ${inYear('a.starts_on', 'a.ends_on')}) AS programs,
            ${lines(null)} AS entities, ${lines('resolved')} AS resolved, ${lines('improved')} AS improved, ${lines('unresolved')} AS unresolved, ${lines('ongoing')} AS ongoing`;
        });
      }),
  });
}
