import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { runScoped } from '../../db/scoped.js';
import { encryptField } from '../../crypto/field.js';
import { nodeByCode, publicChildren, reportedEntity } from './queries.js';
import { insertSelfReport } from './writes.js';
import { schemaOf } from '../../http/contract.js';
import { publicDivisions, submitSelfReport } from './contract.js';
import { Problem, notFound } from '../../http/errors.js';
import { recordAudit } from '../../db/audit-chain.js';
import { countPublicInWindow } from '../../db/windows.js';
import { SELF_REPORT_CAP_WINDOW_MS, overCap, refusalWorthALine } from '../../domain/cases/self-report-cap.js';
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

  /**
   * One more report for the county's day, counted in the database across all addresses and
   * processes (round 11): past the cap, 429 in Chinese, and the refusals audited (the first, then
   * at each doubling) under the county, where its auditor sees them.
   */
  async function countForCounty(county: { code: string; scope_key: string }, ip: string): Promise<void> {
    const cap = config.selfReportCountyDaily;
    const count = await countPublicInWindow(db, 'self_report.county', county.code, SELF_REPORT_CAP_WINDOW_MS);
    const over = overCap(count.used, cap);
    if (!over) return;
    if (refusalWorthALine(over))
      await recordAudit(
        db,
        { ...PUBLIC, scopeKey: county.scope_key, ip },
        {
          action: 'self_report.county_limited',
          objectType: 'jurisdiction',
          objectId: county.code,
          outcome: 'denied',
          detail: { limit: cap, refused: over },
        },
      );
    throw new Problem(
      429,
      '今日报到已满',
      `该县（区）今天收到的党员报到已达 ${cap} 条的上限，请明天再提交，或直接联系所在地市场监管所`,
      undefined,
      'self_report_county_limit',
    );
  }

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
      await countForCounty(county, req.ip);
      const entity = await reportedEntity(db, b, county.code);
      const scopeKey = entity?.scope_key ?? county.scope_key;
      const receipt = await runScoped(db, { ...PUBLIC, ip: req.ip }, async ({ db: tx, audit }) => {
        const { caseId, receipt } = await insertSelfReport(tx, {
          entityId: entity?.id ?? null,
          countyCode: county.code,
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
      });
      return reply.code(201).send({
        receipt, // random (domain/cases/receipt.ts): a serial told how many had reported
        message: '已收到您的报到信息。所在地市场监管所将与您联系核实，请保持电话畅通。',
      });
    },
  });
}
