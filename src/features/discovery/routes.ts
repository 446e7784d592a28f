import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { decryptField } from '../../crypto/field.js';
import { birthBesideMaskedId, maskPhone } from '../../domain/identifiers/id-number.js';
import {
  ABSENT_RESULT,
  ACTION_LABEL,
  CASE_KIND_LABEL,
  STATE_LABEL,
  allowedActions,
  transition,
} from '../../domain/cases/workflow.js';
import { CASE_CONDITION, ROSTER_ABSENT_CONDITION } from '../../domain/cases/conditions.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { runDiscovery } from './run.js';
import { entitiesOfMembers, followEntities } from './follow.js';
import { caseExportRows, caseParts, casePage, loadCase, runById, runningRun } from './queries.js';
import { addMemberFromReport, concludeMember, confirmMember, moveCase, queueRun, transferMember } from './writes.js';
import { schemaOf } from '../../http/contract.js';
import { claimOrRefuse } from '../../http/heavy-work.js';
import {
  actOnCase,
  exportCases,
  getCase,
  getDiscoveryRun,
  listCases,
  startDiscoveryRun,
  type CaseEventDetail,
} from './contract.js';
import { listExportRoute } from '../../http/export-route.js';

const toRun = (r: {
  id: number;
  status: string;
  step: string | null;
  counts: unknown;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}) => ({
  id: r.id,
  status: r.status,
  step: r.step,
  counts: (r.counts ?? {}) as Record<string, number>,
  error: r.error,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** The system's own moves in a case's trail (the person's are ACTION_LABEL's). */
const EVENT_LABEL: Record<string, string> = {
  raised: '发现线索',
  reopened: '证据变化，重新核实',
  evidence_changed: '证据更新',
  auto_closed: '情况已变化，自动关闭',
};

const TAGS = ['查找党员'];

/** A member-missing case's conclusion says what it must: a result; a date for 已转出, 停止党籍, 去世; a reason for 仍在册. */
function concludable(b: { reason?: string; conclusion?: { result: keyof typeof ABSENT_RESULT; date?: string } }) {
  const c = b.conclusion;
  if (!c)
    throw badRequest('请选择核实结果', [
      { field: 'conclusion.result', message: '请选择已转出、停止党籍、去世或仍在册' },
    ]);
  if (c.result === 'on_roll' && !b.reason)
    throw badRequest('仍在册须写明原因', [{ field: 'reason', message: '请写明名册中没有该党员的原因，如名册遗漏' }]);
  if (c.result !== 'on_roll' && !c.date)
    throw badRequest(`请填写${ABSENT_RESULT[c.result].label}的日期`, [
      { field: 'conclusion.date', message: `请填写${ABSENT_RESULT[c.result].label}的日期` },
    ]);
}

/** 查找党员: discovery runs and the verification work list (组织找党员). */
export async function discoveryRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(startDiscoveryRun.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(startDiscoveryRun, TAGS), response: { 202: startDiscoveryRun.response } },
    handler: async (req, reply) => {
      // One run at a time over an area, above and below included, claimed in one step (round 16:
      // the check below sees only the caller's subtree, and two starts sent at once both passed it).
      const release = await claimOrRefuse(app.ctx.db, 'discovery', req.user!);
      let row;
      try {
        row = await req.scoped(async ({ db }) => {
          if (await runningRun(db)) throw conflict('本辖区已有比对在进行，请稍候');
          return queueRun(db, req.user!.scopeKey, req.user!.id);
        });
      } catch (err) {
        await release();
        throw err;
      }
      const who = req.principal();
      const running: Promise<unknown> = runDiscovery(app.ctx, who, row.id)
        .catch((err) => req.log.error({ err }, 'discovery failed'))
        .finally(() => release().catch((err) => req.log.error({ err }, 'discovery area not released')))
        .finally(() => app.discoveryRuns.delete(running));
      app.discoveryRuns.add(running);
      return reply.code(202).send(toRun(row));
    },
  });

  r.get(getDiscoveryRun.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(getDiscoveryRun, TAGS),
      params: getDiscoveryRun.params,
      response: { 200: getDiscoveryRun.response },
    },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const row = await runById(db, req.params.id);
        if (!row) throw notFound('比对任务');
        return toRun(row);
      }),
  });

  listExportRoute(app, {
    ...exportCases,
    tags: TAGS,
    summary: '导出核实线索（xlsx，导出留痕）',
    action: 'case.export',
    objectType: 'discovery_case',
    read: caseExportRows,
    file: '核实线索',
    sheet: '核实线索',
    columns: [
      { header: '线索', width: 20, value: (c) => CASE_KIND_LABEL[c.kind] },
      { header: '市场主体 / 党组织', width: 36, value: (c) => c.entity_name },
      { header: '党员', width: 10, value: (c) => c.member_name },
      { header: '基层所', width: 18, value: (c) => c.station_name },
      { header: '状态', width: 12, value: (c) => STATE_LABEL[c.state] },
      { header: '更新时间', width: 18, value: (c) => c.updated_at },
    ],
  });

  r.get(listCases.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(listCases, TAGS), querystring: listCases.query, response: { 200: listCases.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const { rows, total } = await casePage(db, req.query);
        return {
          items: rows.map((c) => ({
            id: c.id,
            kind: c.kind,
            kindLabel: CASE_KIND_LABEL[c.kind],
            state: c.state,
            stateLabel: STATE_LABEL[c.state],
            entityId: c.entity_id,
            entityName: c.entity_name,
            stationName: c.station_name,
            memberName: c.member_name,
            updatedAt: c.updated_at,
            actions: allowedActions(c.kind, c.state),
          })),
          total,
          page: req.query.page,
          pageSize: req.query.pageSize,
        };
      }),
  });

  r.get(getCase.path, {
    config: { access: 'data.read' },
    schema: { ...schemaOf(getCase, TAGS), params: getCase.params, response: { 200: getCase.response } },
    handler: (req) =>
      req.scoped(async ({ db }) => {
        const c = await loadCase(db, req.params.id);
        const { entity, report, member, events } = await caseParts(db, c);
        return {
          id: c.id,
          kind: c.kind,
          kindLabel: CASE_KIND_LABEL[c.kind],
          state: c.state,
          stateLabel: STATE_LABEL[c.state],
          evidence: c.evidence as Record<string, unknown>,
          entity,
          condition:
            c.kind === 'self_report'
              ? null
              : c.kind === 'roster_absent'
                ? ROSTER_ABSENT_CONDITION
                : CASE_CONDITION[c.kind],
          resolvedAt: c.resolved_at,
          report: report && {
            name: report.name,
            phone: maskPhone(decryptField(app.ctx.keys, report.phone_enc)),
            receipt: report.receipt,
            entityText: report.entity_text,
            orgRelation: report.org_relation,
            reportedAt: report.created_at,
          },
          member: member
            ? {
                id: member.id,
                name: member.name,
                birthDate: birthBesideMaskedId(member.id_enc, member.birth_date),
                phone: member.phone_enc ? maskPhone(decryptField(app.ctx.keys, member.phone_enc)) : null,
                orgRelation: member.org_relation,
                memberStatus: member.member_status,
                membership: member.membership,
                confidence: member.confidence,
                sources: member.sources,
              }
            : null,
          events: events.map((e) => ({
            id: e.id,
            at: e.at,
            action: e.action,
            actionLabel: ACTION_LABEL[e.action as 'confirm'] ?? EVENT_LABEL[e.action] ?? e.action,
            from: e.from_state,
            to: e.to_state,
            detail: e.detail as CaseEventDetail | null,
            actor: e.display_name ?? '系统',
          })),
          actions: allowedActions(c.kind, c.state),
        };
      }),
  });

  r.post(actOnCase.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(actOnCase, TAGS),
      params: actOnCase.params,
      body: actOnCase.body,
      response: { 200: actOnCase.response },
    },
    handler: (req) =>
      req.scoped(async (s) => {
        const { db, audit } = s;
        const c = await loadCase(db, req.params.id);
        const b = req.body;
        const move = transition(c.kind, c.state, b.action, b.conclusion?.result);
        if (!move.ok) throw conflict(move.reason);
        if (b.action === 'conclude') concludable(b);
        if (b.action === 'dismiss' && !b.reason)
          throw badRequest('排除线索须写明原因', [{ field: 'reason', message: '请填写排除原因' }]);
        if (b.action === 'contact' && !b.contact)
          throw badRequest('请填写联系情况', [{ field: 'contact', message: '请填写联系日期、方式和结果' }]);
        if (b.action === 'transfer' && !b.transfer)
          throw badRequest('请填写组织关系转接情况', [{ field: 'transfer', message: '请填写转出、转入党组织和日期' }]);
        const detail = { reason: b.reason, contact: b.contact, transfer: b.transfer, conclusion: b.conclusion };
        await moveCase(db, c, { by: req.user!.id, action: b.action, to: move.to, detail });
        if (c.self_report_id && b.action === 'confirm')
          await addMemberFromReport(db, app.ctx.keys, c.self_report_id, c.scope_key);
        if (c.member_id && b.action === 'confirm') await confirmMember(db, c.member_id);
        if (c.member_id && b.action === 'transfer') await transferMember(db, c.member_id, b.transfer!.to);
        const ended = b.conclusion && ABSENT_RESULT[b.conclusion.result].memberStatus;
        if (c.member_id && b.action === 'conclude' && ended)
          await concludeMember(db, c.member_id, ended, b.conclusion!);
        audit({
          action: `case.${b.action}`,
          objectType: 'discovery_case',
          objectId: c.id,
          detail: { kind: c.kind, from: c.state, to: move.to, ...detail, ...(ended ? { memberStatus: ended } : {}) },
        });
        // What was recorded about the member (vouched for, relation moved) may end or raise their other cases.
        if (c.member_id && (b.action === 'confirm' || b.action === 'transfer' || ended)) {
          await followEntities(s, await entitiesOfMembers(db, [c.member_id]), {
            source: 'case',
            label: `线索 #${c.id}：${ACTION_LABEL[b.action]}`,
            objectType: 'discovery_case',
            objectId: c.id,
          });
        }
        return { id: c.id, state: move.to, stateLabel: STATE_LABEL[move.to] };
      }),
  });
}
