import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { proposalPage } from './queries.js';
import { adoptProposal, generateProposals, moveProposalEntity, rejectOpenProposal } from './writes.js';
import { schemaOf } from '../../http/contract.js';
import { acceptProposal, generateOrgProposals, listProposals, moveProposalUnit, rejectProposal } from './contract.js';

const tags = ['组建建议'];

/** Setup proposals: generated from the ledger by the domain rules, reviewed by staff. */
export async function proposalRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const rules = () => app.ctx.settings.get('rules');

  r.post(generateOrgProposals.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(generateOrgProposals, tags), response: { 200: generateOrgProposals.response } },
    handler: async (req) => {
      const s = await rules();
      return req.scoped(async ({ db, audit }) => {
        const started = Date.now();
        const result = await generateProposals(db, req.user!.scopeKey, s);
        audit({ action: 'proposal.generate', objectType: 'org_proposal', detail: { ...result } });
        return { ...result, ms: Date.now() - started };
      });
    },
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
