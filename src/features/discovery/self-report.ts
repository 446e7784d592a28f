import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { encryptField } from '../../crypto/field.js';
import { nodeByCode, publicChildren, reportedEntity } from './queries.js';
import { insertSelfReport } from './writes.js';
import { schemaOf } from '../../http/contract.js';
import { publicDivisions, submitSelfReport } from './contract.js';
import { notFound } from '../../http/errors.js';
import { writeWithinCountyCap, type CountyCap } from '../../http/county-cap.js';
import { redactFreeText } from '../../domain/identifiers/free-text.js';

const masked = (text: string): string => redactFreeText(text).text;

const PUBLIC = { userId: null, username: '公众（党员报到）', scopeKey: '', ip: null };

/**
 * 党员找组织: the public page where a member says where they work. No login; few fields; the
 * report lands as a case for the station of the named entity (else the county), where staff
 * verify it. Nothing about anyone is shown back.
 */
export async function selfReportRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db, keys, config } = app.ctx;

  /** The county's daily cap of reports from every address together (round 11; http/county-cap.ts). */
  const countyCap: CountyCap = {
    bucket: 'self_report.county',
    action: 'self_report.county_limited',
    actor: PUBLIC.username,
    cap: config.selfReportCountyDaily,
    title: '今日报到已满',
    detail: (cap) => `该县（区）今天收到的党员报到已达 ${cap} 条的上限，请明天再提交，或直接联系所在地市场监管所`,
    code: 'self_report_county_limit',
  };

  r.get(publicDivisions.path, {
    config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
    schema: {
      ...schemaOf(publicDivisions, ['公开']),
      params: publicDivisions.params,
      response: { 200: publicDivisions.response },
    },
    handler: async (req) => publicChildren(db, req.params.code),
  });

  r.post(submitSelfReport.path, {
    config: { access: 'public', rateLimit: { max: 5, timeWindow: '1 minute' } },
    schema: {
      ...schemaOf(submitSelfReport, ['公开']),
      body: submitSelfReport.body,
      response: { 201: submitSelfReport.response },
    },
    handler: async (req, reply) => {
      const b = req.body;
      const county = await nodeByCode(db, b.countyCode);
      if (!county || (county.level !== 'county' && county.level !== 'city')) throw notFound('县（区）');
      const entity = await reportedEntity(db, b, county.code);
      const scopeKey = entity?.scope_key ?? county.scope_key;
      // The county the report lands in is the one its cap counts: an entity found by its code may sit
      // in another county than the one chosen, and counted there a single address put any number of
      // reports into one county, the chosen county changing each time (round-17 probe).
      const home = entity && entity.county_code !== county.code ? await nodeByCode(db, entity.county_code) : county;
      if (!home) throw notFound('县（区）');
      // Counted with the write (round 14: http/county-cap.ts).
      const receipt = await writeWithinCountyCap(
        db,
        countyCap,
        { code: home.code, scopeKey: home.scope_key },
        { ...PUBLIC, ip: req.ip },
        async ({ db: tx, audit }) => {
          const { caseId, receipt } = await insertSelfReport(tx, {
            entityId: entity?.id ?? null,
            countyCode: home.code,
            scopeKey,
            // Free text from the public, read by staff on the case: ID numbers and phones typed into
            // it are masked as in an appeal (the number itself is asked for in its own field).
            name: masked(b.name),
            phoneEnc: encryptField(keys, b.phone),
            idEnc: b.idNumber ? encryptField(keys, b.idNumber.value) : null,
            entityText: b.uscc ? `${masked(b.entityName)}（${b.uscc}）` : masked(b.entityName),
            orgRelation: b.orgRelation ? masked(b.orgRelation) : null,
          });
          audit({
            action: 'self_report.receive',
            objectType: 'discovery_case',
            objectId: caseId,
            detail: { entityFound: !!entity },
          });
          return receipt;
        },
      );
      return reply.code(201).send({
        receipt, // random (domain/cases/receipt.ts): a serial told how many had reported
        message: '已收到您的报到信息。所在地市场监管所将与您联系核实，请保持电话畅通。',
      });
    },
  });
}
