import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { proposalPage } from './queries.js';
import { adoptProposal, generateProposals, moveProposalEntity, rejectOpenProposal } from './writes.js';
import { schemaOf } from '../../http/contract.js';
import { Problem } from '../../http/errors.js';
import { countInWindow } from '../../db/windows.js';
import { acceptProposal, generateOrgProposals, listProposals, moveProposalUnit, rejectProposal } from './contract.js';

const tags = ['组建建议'];

/**
 * How often an account may generate proposals: once a minute. A generation reads and groups every
 * entity of the caller's area and rewrites its open proposals in one transaction — 5.5 s for a
 * county, 12 s for the province on the demo — and nothing bounded how often: four sent at once from
 * one province editor's session ran back to back for 51 s while a public page waited as long
 * (round 15; on the embedded database every request waits for its one connection, so a limit of
 * generations under way would not have helped). Counted in the account's window in the database
 * (account_window, migration 0261, as its reveals are: one upsert on the server's connection, so
 * generations sent at once are counted one after another on every backend and across processes),
 * before anything is read.
 */
export const GENERATE_EVERY_SECONDS = 60;

async function oncePerInterval(db: Parameters<typeof countInWindow>[0], userId: number): Promise<void> {
  const w = await countInWindow(db, userId, 'proposals', GENERATE_EVERY_SECONDS / 60);
  if (w.used <= 1) return;
  const wait = Math.max(1, Math.ceil(GENERATE_EVERY_SECONDS - (w.now.getTime() - w.windowStart.getTime()) / 1000));
  throw new Problem(
    429,
    '生成过于频繁',
    `您刚刚生成过组建建议，每个账号每 ${GENERATE_EVERY_SECONDS} 秒最多生成一次，请在 ${wait} 秒后再生成`,
    undefined,
    'proposals_recent',
  );
}

/** Setup proposals: generated from the ledger by the domain rules, reviewed by staff. */
export async function proposalRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const rules = () => app.ctx.settings.get('rules');

  r.post(generateOrgProposals.path, {
    config: { access: 'data.write' },
    schema: { ...schemaOf(generateOrgProposals, tags), response: { 200: generateOrgProposals.response } },
    handler: async (req) => {
      await oncePerInterval(app.ctx.db, req.user!.id);
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
