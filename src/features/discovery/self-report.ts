import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.js';
import type { Keys } from '../../crypto/keys.js';
import { runScoped } from '../../db/scoped.js';
import { decryptField, encryptField } from '../../crypto/field.js';
import { parseIdNumber } from '../../domain/identifiers/id-number.js';
import { insertUnidentified, upsertIdentified } from '../persons/store.js';
import { idNumberField, phoneField, usccField } from '../../domain/ledger/rows.js';
import { notFound } from '../../http/errors.js';

const PUBLIC = { userId: null, username: '公众（党员报到）', scopeKey: '', ip: null };

/**
 * 党员找组织: the public page where a member says where they work. No login; few fields; the
 * report lands as a case for the station of the named entity (else the county), where staff
 * verify it. Nothing about anyone is shown back.
 */
export async function selfReportRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db, keys } = app.ctx;

  r.get('/public/divisions/:code', {
    config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
    schema: { tags: ['公开'], summary: '行政区划（省、市、县）', params: z.strictObject({ code: z.string().regex(/^\d{6}$/) }), response: { 200: z.array(z.object({ code: z.string(), name: z.string(), level: z.string() })) } },
    handler: async (req) => db.selectFrom('jurisdiction').select(['code', 'name', 'level']).where('parent_code', '=', req.params.code).where('level', '<>', 'station').orderBy('code').execute(),
  });

  r.post('/public/self-report', {
    config: { access: 'public', rateLimit: { max: 5, timeWindow: '1 minute' } },
    schema: {
      tags: ['公开'],
      summary: '党员报到：本人报告在某市场主体工作（需同意告知事项）',
      body: z.strictObject({
        name: z.string().trim().min(2, '请填写姓名').max(30, '姓名不超过 30 个字'),
        phone: phoneField,
        idNumber: idNumberField.optional(),
        countyCode: z.string().regex(/^\d{6}$/, '请选择所在县（区）'),
        entityName: z.string().trim().min(2, '请填写工作单位名称').max(200),
        uscc: usccField.optional(),
        orgRelation: z.string().trim().max(200).optional(),
        consent: z.literal(true, { error: '请阅读并同意告知事项' }),
      }),
      response: { 201: z.object({ receipt: z.string(), message: z.string() }) },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const county = await db.selectFrom('jurisdiction').select(['code', 'scope_key', 'level']).where('code', '=', b.countyCode).executeTakeFirst();
      if (!county || (county.level !== 'county' && county.level !== 'city')) throw notFound('县（区）');
      // The entity by its code, else by its exact name in that county.
      const entity = await db.selectFrom('entity').select(['id', 'scope_key'])
        .where((eb) => (b.uscc ? eb('uscc', '=', b.uscc) : eb.and([eb('name', '=', b.entityName), eb('county_code', '=', county.code)])))
        .executeTakeFirst();
      const scopeKey = entity?.scope_key ?? county.scope_key;
      const id = await runScoped(db, { ...PUBLIC, ip: req.ip }, async ({ db: tx, audit }) => {
        const rep = await tx.insertInto('self_report').values({
          entity_id: entity?.id ?? null, county_code: county.code, scope_key: scopeKey, name: b.name, phone_enc: encryptField(keys, b.phone),
          id_enc: b.idNumber ? encryptField(keys, b.idNumber.value) : null, entity_text: b.uscc ? `${b.entityName}（${b.uscc}）` : b.entityName, org_relation: b.orgRelation ?? null, consent_at: new Date(),
        }).returning('id').executeTakeFirstOrThrow();
        const c = await tx.insertInto('discovery_case').values({ kind: 'self_report', entity_id: entity?.id ?? null, self_report_id: rep.id, scope_key: scopeKey, evidence: JSON.stringify({ entityFound: !!entity }), evidence_hash: `self_report:${rep.id}` }).returning('id').executeTakeFirstOrThrow();
        audit({ action: 'self_report.receive', objectType: 'discovery_case', objectId: c.id, detail: { entityFound: !!entity } });
        return rep.id;
      });
      return reply.code(201).send({ receipt: `DY${String(id).padStart(8, '0')}`, message: '已收到您的报到信息。所在地市场监管所将与您联系核实，请保持电话畅通。' });
    },
  });
}

/** On confirmation a self-report becomes a member record (confirmed by staff, source: self-report). */
export async function memberFromReport(tx: Transaction<DB>, keys: Keys, reportId: number, scopeKey: string): Promise<void> {
  const rep = await tx.selectFrom('self_report').selectAll().where('id', '=', reportId).executeTakeFirstOrThrow();
  const phone = decryptField(keys, rep.phone_enc);
  const idNumber = rep.id_enc ? decryptField(keys, rep.id_enc) : null;
  const parsed = idNumber ? parseIdNumber(idNumber) : null;
  const personId = parsed?.ok
    ? (await upsertIdentified(tx, keys, [{ idNumber: parsed.value, birthDate: parsed.birthDate, sex: parsed.sex, name: rep.name, phone }])).get(parsed.value)!
    : (await insertUnidentified(tx, keys, [{ name: rep.name, phone }]))[0];
  await sql`INSERT INTO member AS m (person_id, org_relation, sources, confidence, scope_key, workplace)
    VALUES (${personId}, ${rep.org_relation}, ARRAY['self_report','staff'], 'confirmed', ${scopeKey}, ${rep.entity_text})
    ON CONFLICT (person_id) DO UPDATE SET confidence = 'confirmed', sources = (SELECT array_agg(DISTINCT s) FROM unnest(m.sources || ARRAY['self_report','staff']) s), updated_at = now()`.execute(tx);
}
