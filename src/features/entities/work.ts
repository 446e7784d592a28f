import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { SANLIANG_KIND_LABEL, RECORD_STATUS_LABEL } from '../../domain/sanliang/plaque.js';
import { HONOUR_STATE_LABEL, AWARD_LEVEL_LABEL } from '../../domain/recognition/honours.js';
import { POINT_KIND_LABEL, POINT_LEVEL_LABEL } from '../../domain/recognition/points.js';
import { notFound } from '../../http/errors.js';
import { schemaOf } from '../../http/contract.js';
import { ENTITY_TAGS, getEntityRecords, getEntityWork } from './contract.js';
import { entityRecords } from './records.js';

/**
 * The party-building work that reaches one entity, for its page: the instructors whose
 * assignments reach it, its 三亮 records, honours, contact/demonstration points and the serious
 * violations staff recorded. Each ledger keeps its own page; this only gathers what names the entity.
 */
export async function entityWorkRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(getEntityRecords.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getEntityRecords, ENTITY_TAGS), params: getEntityRecords.params, response: { 200: getEntityRecords.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const out = await entityRecords(db, req.params.id);
        if (!out) throw notFound('市场主体');
        return out;
      }),
  });

  r.get(getEntityWork.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getEntityWork, ENTITY_TAGS), params: getEntityWork.params, response: { 200: getEntityWork.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const e = await db.selectFrom('entity').select('id').where('id', '=', req.params.id).executeTakeFirst();
        if (!e) throw notFound('市场主体');
        const instructors = await db.selectFrom('instructor_reach as r').innerJoin('instructor_assignment as a', 'a.id', 'r.assignment_id')
          .innerJoin('instructor as i', 'i.id', 'a.instructor_id').innerJoin('person as p', 'p.id', 'i.person_id')
          .select(['i.id', 'p.name', 'a.target', 'a.start_on']).where('r.entity_id', '=', e.id).orderBy('a.start_on').execute();
        const sanliang = await db.selectFrom('sanliang as s').innerJoin('member as m', 'm.id', 's.member_id').innerJoin('person as p', 'p.id', 'm.person_id')
          .select(['s.id', 's.kind', 's.status', 's.shown_on', 'p.name'])
          .select(sql<string | null>`(SELECT pl.number FROM sanliang_plaque pl WHERE pl.record_id = s.id AND pl.state = 'valid')`.as('plaque'))
          .where('s.entity_id', '=', e.id).orderBy('s.shown_on', 'desc').execute();
        const honours = await db.selectFrom('honour as h').leftJoin('dictionary as d', (j) => j.on('d.kind', '=', 'honor_kind').onRef('d.code', '=', 'h.kind'))
          .select(['h.id', 'h.kind', 'd.label', 'h.state', 'h.level', 'h.year', 'h.flagged_at', 'h.flag_reason']).where('h.entity_id', '=', e.id).orderBy('h.id', 'desc').execute();
        const points = await db.selectFrom('recognition_point as p').select(['p.id', 'p.kind', 'p.level', 'p.status', 'p.designated_on']).where('p.entity_id', '=', e.id).orderBy('p.designated_on', 'desc').execute();
        const violations = await db.selectFrom('entity_violation').select(['id', 'occurred_on', 'description']).where('entity_id', '=', e.id).orderBy('occurred_on', 'desc').execute();
        const via = { entity: '直接联系', zone: '所在区域', org: '所在党组织', platform: '所在平台', station: '所在站点' } as Record<string, string>;
        return {
          instructors: instructors.map((i) => ({ id: i.id, title: i.name, detail: `${via[i.target] ?? ''}，自 ${i.start_on}`, state: '在指派', attention: false })),
          sanliang: sanliang.map((s) => ({ id: s.id, title: `${SANLIANG_KIND_LABEL[s.kind]} · ${s.name}`, detail: s.plaque ? `牌匾 ${s.plaque}` : '未发牌', state: RECORD_STATUS_LABEL[s.status], attention: false })),
          honours: honours.map((h) => ({
            id: h.id, title: h.label ?? h.kind, detail: [h.level ? AWARD_LEVEL_LABEL[h.level] : '', h.year ? `${h.year} 年` : '', h.flagged_at ? `待复核：${h.flag_reason ?? ''}` : ''].filter(Boolean).join(' · '),
            state: HONOUR_STATE_LABEL[h.state], attention: !!h.flagged_at,
          })),
          points: points.map((p) => ({ id: p.id, title: `${POINT_LEVEL_LABEL[p.level]}${POINT_KIND_LABEL[p.kind]}`, detail: `${p.designated_on} 确定`, state: p.status === 'active' ? '有效' : '已撤销', attention: false })),
          violations: violations.map((v) => ({ id: v.id, title: v.description, detail: v.occurred_on, state: '严重违法', attention: true })),
        };
      }),
  });
}
