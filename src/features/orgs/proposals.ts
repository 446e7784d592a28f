import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { proposalExportItems, proposalPage } from './queries.js';
import { adoptProposal, generateProposals, moveProposalEntity, rejectOpenProposal } from './writes.js';
import { schemaOf } from '../../http/contract.js';
import { listExportRoute } from '../../http/export-route.js';
import { heavyWork } from '../../http/heavy-work.js';
import {
  acceptProposal,
  exportProposals,
  generateOrgProposals,
  listProposals,
  moveProposalUnit,
  rejectProposal,
} from './contract.js';
import { PROPOSAL_STATE_LABEL } from '../../domain/orgs/grouping.js';

/** A cell holds at most 32,767 characters: a long list of units ends 等 N 家 instead of being cut mid-name. */
const CELL_CHARS = 32_000;
function unitNames(names: string[], units: number): string {
  let text = '';
  for (const [i, name] of names.entries()) {
    const next = text ? `${text}、${name}` : name;
    if (next.length > CELL_CHARS - 20) return `${text} 等 ${units} 家（已列 ${i} 家）`;
    text = next;
  }
  return names.length < units ? `${text} 等 ${units} 家` : text;
}

const tags = ['组建建议'];

/** Setup proposals: generated from the ledger by the domain rules, reviewed by staff. */
export async function proposalRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const rules = () => app.ctx.settings.get('rules');

  r.post(generateOrgProposals.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(generateOrgProposals, tags), response: { 200: generateOrgProposals.response } },
    // Once a minute per account (round 15) and once at a time per area (round 16): a generation
    // reads and groups every entity of the area and rewrites its open proposals in one transaction.
    handler: (req) =>
      heavyWork(app.ctx.db, 'proposals', req.user!, async () => {
        const s = await rules();
        return req.scoped(async ({ db, audit }) => {
          const started = Date.now();
          const result = await generateProposals(db, req.user!.scopeKey, s);
          audit({ action: 'proposal.generate', objectType: 'org_proposal', detail: { ...result } });
          return { ...result, ms: Date.now() - started };
        });
      }),
  });

  r.get(listProposals.path, {
    config: { access: 'data.read' },
    schema: {
      ...schemaOf(listProposals, tags),
      querystring: listProposals.query,
      response: { 200: listProposals.response },
    },
    handler: (req) => req.scoped(({ db }) => proposalPage(db, req.query)),
  });

  listExportRoute(app, {
    ...exportProposals,
    tags,
    summary: '导出组建建议（xlsx，导出留痕）',
    action: 'proposal.export',
    objectType: 'org_proposal',
    read: proposalExportItems,
    file: '组建建议',
    sheet: '组建建议',
    columns: [
      { header: '建议名称', width: 36, value: (p) => p.suggestedName },
      { header: '组建方式', width: 14, value: (p) => p.modeLabel },
      { header: '组织类型', width: 12, value: (p) => p.orgKindLabel },
      { header: '状态', width: 8, value: (p) => PROPOSAL_STATE_LABEL[p.state] },
      { header: '县区', width: 12, value: (p) => p.countyName },
      { header: '基层所', width: 16, value: (p) => p.stationName },
      { header: '单位数', width: 8, value: (p) => p.units },
      { header: '正式党员', width: 8, value: (p) => p.fullMembers },
      { header: '党员', width: 8, value: (p) => p.members },
      { header: '依据', width: 44, value: (p) => p.explanation },
      { header: '不采纳理由', width: 24, value: (p) => p.reason },
      {
        header: '覆盖单位',
        width: 60,
        value: (p) =>
          unitNames(
            p.entities.map((e) => e.name),
            p.units,
          ),
      },
    ],
  });

  r.post(acceptProposal.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(acceptProposal, tags),
      params: acceptProposal.params,
      body: acceptProposal.body,
      response: { 200: acceptProposal.response },
    },
    handler: async (req) => {
      const s = await rules();
      return req.scoped(async (sc) => {
        const { p, units, orgId } = await adoptProposal(sc, req.params.id, req.body, s, req.user!.id);
        sc.audit({
          action: 'proposal.accept',
          objectType: 'org_proposal',
          objectId: p.id,
          detail: { mode: p.mode, orgId, units: units.length },
        });
        return { id: p.id, orgId };
      });
    },
  });

  r.post(moveProposalUnit.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(moveProposalUnit, tags),
      params: moveProposalUnit.params,
      body: moveProposalUnit.body,
      response: { 200: moveProposalUnit.response },
    },
    handler: async (req) => {
      const s = await rules();
      return req.scoped(async ({ db, audit }) => {
        const moved = await moveProposalEntity(db, req.params.id, req.body, s);
        audit({
          action: 'proposal.adjust',
          objectType: 'org_proposal',
          objectId: moved.from,
          detail: { entityId: req.body.entityId, toProposalId: moved.to },
        });
        return moved;
      });
    },
  });

  r.post(rejectProposal.path, {
    config: { access: 'data.write' },
    schema: {
      ...schemaOf(rejectProposal, tags),
      params: rejectProposal.params,
      body: rejectProposal.body,
      response: { 200: rejectProposal.response },
    },
    handler: (req) =>
      req.scoped(async ({ db, audit }) => {
        const id = await rejectOpenProposal(db, req.params.id, req.body.reason, req.user!.id);
        audit({
          action: 'proposal.reject',
          objectType: 'org_proposal',
          objectId: id,
          detail: { reason: req.body.reason },
        });
        return { id };
      }),
  });
}
