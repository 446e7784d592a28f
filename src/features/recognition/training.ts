import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import { atOrAbove } from '../../domain/recognition/points.js';
import { CLASS_LEVEL_LABEL, SECRETARY_STATUS_LABEL, TRAINING_WINDOW_MONTHS, type SecretaryStatus } from '../../domain/recognition/training.js';
import { badRequest, forbidden, notFound } from '../../http/errors.js';
import { containing, pageFrom, underOrAbove } from '../../http/paging.js';
import { sendXlsx } from '../../http/xlsx.js';
import { areaNode, childrenOf, ownNode, refusal, today } from './shared.js';
import { fold, indicatorCounts } from './training-queries.js';
import { expectWritten } from '../../db/writes.js';
import { schemaOf } from '../../http/contract.js';
import {
  addTrainees, createTraining, getTraining, listSecretaries, listTrainings, removeTrainee, secretaryFilters, trainingFilters, trainingIndicator, updateTrainee, updateTraining,
} from './contract.js';

type Tx = Transaction<DB>;
const tags = ['书记培训'];

type Filters = { under?: string; level?: string; year?: number; q?: string };

/** Classes the caller sees (its subtree's and those held above it), with the trainees of its subtree. */
function classList(db: Tx, scopeKey: string) {
  return db.selectFrom('training_class as c').innerJoin('jurisdiction as j', 'j.code', 'c.jurisdiction_code')
    .select(['c.id', 'c.name', 'c.level', 'c.starts_on', 'c.ends_on', 'c.place', 'c.scope_key', 'j.name as organizer'])
    .select(sql<boolean>`starts_with(c.scope_key, ${scopeKey})`.as('mine'))
    .select(sql<number>`(SELECT count(*)::int FROM training_trainee t WHERE t.class_id = c.id)`.as('trainees'))
    .select(sql<number>`(SELECT count(*) FILTER (WHERE t.attended)::int FROM training_trainee t WHERE t.class_id = c.id)`.as('attended'))
    .select(sql<number>`(SELECT count(*) FILTER (WHERE t.completed)::int FROM training_trainee t WHERE t.class_id = c.id)`.as('completed'));
}

async function filtered(db: Tx, scopeKey: string, f: Filters) {
  let q = classList(db, scopeKey);
  if (f.under) {
    q = q.where(await underOrAbove(db, 'c.scope_key', f.under));
  }
  if (f.level) q = q.where('c.level', '=', f.level as 'county');
  if (f.year) q = q.where(sql<boolean>`extract(year FROM c.starts_on) = ${f.year}`);
  if (f.q) q = q.where('c.name', 'like', containing(f.q));
  return q;
}

type Row = Awaited<ReturnType<ReturnType<typeof classList>['execute']>>[number];
const toItem = (c: Row) => ({
  id: c.id, name: c.name, level: c.level, levelLabel: CLASS_LEVEL_LABEL[c.level], startsOn: c.starts_on, endsOn: c.ends_on, place: c.place,
  organizer: c.organizer, mine: c.mine, trainees: c.trainees, attended: c.attended, completed: c.completed,
});

async function loadClass(db: Tx, id: number) {
  const c = await db.selectFrom('training_class').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('培训班');
  return c;
}

/** Trainees and attendance are kept by the organizer's subtree. */
function mustOwn(c: { scope_key: string }, scopeKey: string) {
  if (!c.scope_key.startsWith(scopeKey)) throw forbidden('上级举办的培训班由举办单位登记学员和考勤');
}

/** Trained in time; else pending while the 12 months run; else overdue (over the row `s` of the list below). */
const statusOf = (asOf: string) => sql<SecretaryStatus>`CASE WHEN s.trained_on IS NOT NULL THEN 'trained' WHEN s.window_end >= ${asOf} THEN 'pending' ELSE 'overdue' END`;

/**
 * Secretaries in office on a date in a subtree, with whether they were trained in time: the
 * list behind the indicator (same definition as the domain function), one row per appointment.
 */
function secretaries(db: Tx, scopeKey: string, asOf: string) {
  const windowEnd = sql`(f.term_start + make_interval(months => ${TRAINING_WINDOW_MONTHS}::int))::date`;
  const inOffice = db.selectFrom('party_org_officer as f').innerJoin('party_org as o', 'o.id', 'f.org_id').innerJoin('person as p', 'p.id', 'f.person_id')
    .leftJoin('jurisdiction as cj', 'cj.code', 'o.county_code').leftJoin('jurisdiction as sj', 'sj.code', 'o.station_code')
    .select(['f.id', 'p.name', 'o.id as org_id', 'o.name as org_name', 'o.founded_on', 'f.term_start', 'f.term_end', 'cj.name as county_name', 'sj.name as station_name'])
    .select(sql<string | null>`(SELECT max(c.ends_on)::text FROM training_trainee t JOIN training_class c ON c.id = t.class_id
      WHERE t.officer_id = f.id AND t.completed AND c.ends_on >= f.term_start AND c.ends_on <= ${windowEnd} AND c.ends_on <= ${asOf}::date)`.as('trained_on'))
    .select(sql<string>`${windowEnd}::text`.as('window_end'))
    .where('f.role', '=', 'secretary').where('o.body', '=', 'party').where('o.status', '<>', 'dissolved')
    .where('f.term_start', '<=', asOf).where('f.term_end', '>=', asOf)
    .where(sql<boolean>`starts_with(f.scope_key, ${scopeKey})`);
  return db.selectFrom(inOffice.as('s')).selectAll()
    .select(statusOf(asOf).as('status'));
}


/** Secretary training (党组织书记培训): classes, trainees, attendance and completion, and the indicator by area. */
export async function trainingRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(listTrainings.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listTrainings, tags), querystring: listTrainings.query, response: { 200: listTrainings.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await filtered(db, req.user!.scopeKey, req.query);
        return pageFrom(q, req.query, (q) => q.orderBy('c.starts_on', 'desc').orderBy('c.id', 'desc'), toItem);
      }),
  });

  r.get('/trainings/export', {
    config: { access: 'data.read' },
    schema: { tags, summary: '导出书记培训班（xlsx，导出留痕）', querystring: z.strictObject(trainingFilters) },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = await (await filtered(db, req.user!.scopeKey, req.query)).orderBy('c.starts_on', 'desc').limit(100_000).execute();
        audit({ action: 'training.export', objectType: 'training_class', detail: { filters: req.query, rows: rows.length } });
        return rows.map(toItem);
      });
      return sendXlsx(reply, `书记培训班-${today()}.xlsx`, '书记培训班', [
        { header: '名称', width: 30, value: (c) => c.name },
        { header: '级别', width: 10, value: (c) => c.levelLabel },
        { header: '开始日期', width: 12, value: (c) => c.startsOn },
        { header: '结束日期', width: 12, value: (c) => c.endsOn },
        { header: '地点', width: 20, value: (c) => c.place },
        { header: '举办单位', width: 16, value: (c) => c.organizer },
        { header: '学员数', width: 8, value: (c) => c.trainees },
        { header: '出勤', width: 8, value: (c) => c.attended },
        { header: '结业', width: 8, value: (c) => c.completed },
      ], rows);
    },
  });

  r.get(trainingIndicator.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(trainingIndicator, tags), querystring: trainingIndicator.query, response: { 200: trainingIndicator.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const asOf = req.query.asOf ?? today();
        const node = await areaNode(db, req.query.under ?? req.user!.jurisdictionCode);
        const rows = await indicatorCounts(db, node, asOf);
        return {
          node: { code: node.code, name: node.name, level: node.level }, asOf,
          total: fold(rows),
          children: (await childrenOf(db, node)).map((c) => ({ ...c, ...fold(rows, (x) => x.child === c.code) })),
          own: fold(rows, (x) => x.child === null),
        };
      }),
  });

  type SecretaryQuery = { under?: string; asOf?: string; status?: string; newOrgs?: string; q?: string };
  /** The filtered list query (paged by the caller, or read whole for the export). */
  const secretaryList = async (db: Tx, scopeKey: string, f: SecretaryQuery) => {
    const asOf = f.asOf ?? today();
    let q = secretaries(db, f.under ? (await areaNode(db, f.under)).scope_key : scopeKey, asOf);
    if (f.newOrgs === 'true') q = q.where(sql<boolean>`extract(year FROM s.founded_on) = extract(year FROM ${asOf}::date)`);
    if (f.status) q = q.where(sql<boolean>`${statusOf(asOf)} = ${f.status}`);
    if (f.q) q = q.where((w) => w.or([w('s.name', 'like', containing(f.q!)), w('s.org_name', 'like', containing(f.q!))]));
    return q;
  };
  type SecretaryRow = Awaited<ReturnType<ReturnType<typeof secretaries>['execute']>>[number];
  const toSecretary = (s: SecretaryRow) => ({
    id: s.id, name: s.name, orgId: s.org_id, orgName: s.org_name, place: `${s.county_name ?? ''}${s.station_name ? ` / ${s.station_name}` : ''}`, foundedOn: s.founded_on,
    termStart: s.term_start, termEnd: s.term_end, windowEnd: s.window_end, trainedOn: s.trained_on, status: s.status, statusLabel: SECRETARY_STATUS_LABEL[s.status],
  });
  r.get(listSecretaries.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listSecretaries, tags), querystring: listSecretaries.query, response: { 200: listSecretaries.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const q = await secretaryList(db, req.user!.scopeKey, req.query);
        return pageFrom(q, req.query, (q) => q.orderBy('s.org_name').orderBy('s.id'), toSecretary);
      }),
  });

  r.get('/trainings/secretaries/export', {
    config: { access: 'data.read' },
    schema: { tags, summary: '导出在任书记培训情况（xlsx，导出留痕）', querystring: z.strictObject(secretaryFilters) },
    handler: async (req, reply) => {
      const rows = await req.scoped(async ({ db, audit }) => {
        const rows = (await (await secretaryList(db, req.user!.scopeKey, req.query)).orderBy('s.org_name').orderBy('s.id').limit(100_000).execute()).map(toSecretary);
        audit({ action: 'training.secretaries_export', objectType: 'training_class', detail: { filters: req.query, rows: rows.length } });
        return rows;
      });
      return sendXlsx(reply, `书记培训情况-${today()}.xlsx`, '书记培训情况', [
        { header: '书记', width: 10, value: (s) => s.name },
        { header: '党组织', width: 30, value: (s) => s.orgName },
        { header: '县区 / 基层所', width: 20, value: (s) => s.place },
        { header: '组织成立日期', width: 12, value: (s) => s.foundedOn },
        { header: '任职日期', width: 12, value: (s) => s.termStart },
        { header: '培训期限', width: 12, value: (s) => s.windowEnd },
        { header: '结业日期', width: 12, value: (s) => s.trainedOn },
        { header: '培训情况', width: 16, value: (s) => s.statusLabel },
      ], rows);
    },
  });

  r.post(createTraining.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(createTraining, tags), body: createTraining.body, response: { 201: createTraining.response } },
    handler: async (req, reply) => {
      const b = req.body;
      if (b.endsOn < b.startsOn) throw badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);
      const id = await req.scoped(async ({ db, audit }) => {
        const me = await ownNode(db, req.user!.jurisdictionCode);
        if (!atOrAbove(me.level, b.level)) throw refusal({ status: 422, field: 'level', reason: `本级不能举办${CLASS_LEVEL_LABEL[b.level]}培训班` });
        const row = await db.insertInto('training_class').values({ name: b.name, level: b.level, starts_on: b.startsOn, ends_on: b.endsOn, place: b.place ?? null, jurisdiction_code: me.code, scope_key: me.scope_key })
          .returning('id').executeTakeFirstOrThrow();
        audit({ action: 'training.create', objectType: 'training_class', objectId: row.id, detail: { name: b.name, level: b.level, startsOn: b.startsOn, endsOn: b.endsOn } });
        return row.id;
      });
      return reply.code(201).send({ id });
    },
  });

  r.get(getTraining.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getTraining, tags), params: getTraining.params, response: { 200: getTraining.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const c = await classList(db, req.user!.scopeKey).where('c.id', '=', req.params.id).executeTakeFirst();
        if (!c) throw notFound('培训班');
        const trainees = await db.selectFrom('training_trainee as t').innerJoin('party_org_officer as f', 'f.id', 't.officer_id').innerJoin('party_org as o', 'o.id', 'f.org_id').innerJoin('person as p', 'p.id', 'f.person_id')
          .select(['t.id', 't.officer_id', 't.attended', 't.completed', 'p.name', 'o.name as org_name', 'f.term_start']).where('t.class_id', '=', c.id).orderBy('o.name').execute();
        return { ...toItem(c), traineeList: trainees.map((t) => ({ id: t.id, officerId: t.officer_id, name: t.name, orgName: t.org_name, termStart: t.term_start, attended: t.attended, completed: t.completed })) };
      }),
  });

  r.patch(updateTraining.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(updateTraining, tags), params: updateTraining.params, body: updateTraining.body, response: { 200: updateTraining.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const b = req.body;
        const c = await loadClass(db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        const after = { name: b.name ?? c.name, starts_on: b.startsOn ?? c.starts_on, ends_on: b.endsOn ?? c.ends_on, place: b.place === undefined ? c.place : b.place };
        if (after.ends_on < after.starts_on) throw badRequest('结束日期不能早于开始日期', [{ field: 'endsOn', message: '结束日期不能早于开始日期' }]);
        expectWritten(await db.updateTable('training_class').set({ ...after, updated_at: new Date() }).where('id', '=', c.id).executeTakeFirst(), '培训班', { action: 'training.update', objectType: 'training_class', objectId: c.id });
        audit({ action: 'training.update', objectType: 'training_class', objectId: c.id, detail: { before: { name: c.name, startsOn: c.starts_on, endsOn: c.ends_on }, after: { name: after.name, startsOn: after.starts_on, endsOn: after.ends_on } } });
        return { id: c.id };
      }),
  });

  r.post(addTrainees.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(addTrainees, tags), params: addTrainees.params, body: addTrainees.body, response: { 200: addTrainees.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const c = await loadClass(db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        const ids = [...new Set(req.body.officerIds)];
        const officers = await db.selectFrom('party_org_officer').select(['id', 'role', 'scope_key']).where('id', 'in', ids).execute();
        if (officers.length !== ids.length) throw notFound('党组织书记');
        // A class trains the secretaries of its organizer's area (so whoever sees a trainee sees the class).
        const wrong = officers.find((f) => f.role !== 'secretary' || !f.scope_key.startsWith(c.scope_key));
        if (wrong) throw badRequest('学员须是举办单位辖区内党组织的书记', [{ field: 'officerIds', message: `第 ${ids.indexOf(wrong.id) + 1} 位不是本辖区党组织的书记` }]);
        const added = await db.insertInto('training_trainee').values(officers.map((f) => ({ class_id: c.id, officer_id: f.id, scope_key: f.scope_key })))
          .onConflict((oc) => oc.columns(['class_id', 'officer_id']).doNothing()).returning('id').execute();
        audit({ action: 'training.trainee_add', objectType: 'training_class', objectId: c.id, detail: { officerIds: ids, added: added.length } });
        return { added: added.length };
      }),
  });

  r.patch(updateTrainee.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(updateTrainee, tags), params: updateTrainee.params, body: updateTrainee.body, response: { 200: updateTrainee.response } },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const c = await loadClass(db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        const t = await db.selectFrom('training_trainee').selectAll().where('class_id', '=', c.id).where('id', '=', req.params.key).executeTakeFirst();
        if (!t) throw notFound('学员');
        const attended = req.body.attended ?? t.attended;
        const completed = req.body.completed ?? (attended ? t.completed : false);
        if (completed && !attended) throw refusal({ status: 422, field: 'completed', reason: '未出勤的学员不能结业' });
        if (completed && c.ends_on > today()) throw refusal({ status: 422, field: 'completed', reason: `培训班 ${c.ends_on} 结束，结束后才能登记结业` });
        await db.updateTable('training_trainee').set({ attended, completed }).where('id', '=', t.id).execute();
        audit({ action: 'training.attendance', objectType: 'training_class', objectId: c.id, detail: { traineeId: t.id, before: { attended: t.attended, completed: t.completed }, after: { attended, completed } } });
        return { id: t.id, attended, completed };
      }),
  });

  r.delete(removeTrainee.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(removeTrainee, tags), params: removeTrainee.params },
    handler: async (req, reply) => {
      await req.scoped(async ({ db, audit }) => {
        const c = await loadClass(db, req.params.id);
        mustOwn(c, req.user!.scopeKey);
        const gone = await db.deleteFrom('training_trainee').where('class_id', '=', c.id).where('id', '=', req.params.key).executeTakeFirst();
        if (!Number(gone.numDeletedRows)) throw notFound('学员');
        audit({ action: 'training.trainee_remove', objectType: 'training_class', objectId: c.id, detail: { traineeId: req.params.key } });
      });
      return reply.code(204).send();
    },
  });
}
