import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Keys } from '../../crypto/keys.js';
import { runScoped } from '../../db/scoped.js';
import { decryptField, encryptField } from '../../crypto/field.js';
import { parseIdNumber } from '../../domain/identifiers/id-number.js';
import { insertUnidentified, upsertIdentified } from '../persons/index.js';
import { nodeByCode, publicChildren, reportedEntity } from './queries.js';
import { insertSelfReport } from './writes.js';
import { schemaOf } from '../../http/contract.js';
import { publicDivisions, submitSelfReport } from './contract.js';
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

  r.get(publicDivisions.path, {
    config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
    schema: { ...schemaOf(publicDivisions, ['公开']), params: publicDivisions.params, response: { 200: publicDivisions.response } },
    handler: async (req) => publicChildren(db, req.params.code),
  });

  r.post(submitSelfReport.path, {
    config: { access: 'public', rateLimit: { max: 5, timeWindow: '1 minute' } },
    schema: { ...schemaOf(submitSelfReport, ['公开']), body: submitSelfReport.body, response: { 201: submitSelfReport.response } },
    handler: async (req, reply) => {
      const b = req.body;
      const county = await nodeByCode(db, b.countyCode);
      if (!county || (county.level !== 'county' && county.level !== 'city')) throw notFound('县（区）');
      const entity = await reportedEntity(db, b, county.code);
      const scopeKey = entity?.scope_key ?? county.scope_key;
      const id = await runScoped(db, { ...PUBLIC, ip: req.ip }, async ({ db: tx, audit }) => {
        const { reportId, caseId } = await insertSelfReport(tx, {
          entityId: entity?.id ?? null, countyCode: county.code, scopeKey, name: b.name, phoneEnc: encryptField(keys, b.phone),
          idEnc: b.idNumber ? encryptField(keys, b.idNumber.value) : null, entityText: b.uscc ? `${b.entityName}（${b.uscc}）` : b.entityName, orgRelation: b.orgRelation ?? null,
        });
        audit({ action: 'self_report.receive', objectType: 'discovery_case', objectId: caseId, detail: { entityFound: !!entity } });
        return reportId;
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
