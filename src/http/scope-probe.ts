import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordBeyondReach } from '../db/record-outside.js';
import { recordAudit } from '../db/audit-chain.js';
import { countInWindow } from '../db/windows.js';
import { RefusedWrite } from '../db/writes.js';
import { PROBE_WINDOW_MINUTES, probeTarget, probeWorthALine } from '../domain/auth/scope-probe.js';

/**
 * Leaves a trace of probing other jurisdictions' records (domain/auth/scope-probe.ts): after a
 * signed-in account's request that named a record has been answered 404, asks the database
 * whether that record exists outside the account's reach (another jurisdiction's, or for an
 * instructor or unit account one of its own node's it is not assigned to), and if so counts the probe and, for
 * the counts worth a line, writes `scope.denied` into the audit trail. All of it runs after the
 * answer is sent (onResponse), so the answer — status, body, and the time it takes — is that of
 * a record that does not exist. A refused write (db/writes.ts) is audited where it is refused.
 */
export function installScopeProbes(app: FastifyInstance): void {
  const audited = new WeakSet<FastifyRequest>();
  app.addHook('onError', async (req, _reply, err) => {
    if (err instanceof RefusedWrite) audited.add(req);
  });
  app.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode !== 404 || !req.user || req.serviceAccount || audited.has(req)) return;
    const target = probeTarget(
      req.routeOptions.url ?? '',
      (req.params ?? {}) as Record<string, unknown>,
      (req.query ?? {}) as Record<string, unknown>,
    );
    if (!target) return;
    try {
      const { db } = req.server.ctx;
      const who = req.principal();
      const beyond = await recordBeyondReach(db, who, target.kind, target.ref);
      if (!beyond) return;
      const count = await countInWindow(db, req.user.id, 'probe', PROBE_WINDOW_MINUTES);
      if (!probeWorthALine(count.used)) return;
      await recordAudit(db, who, {
        action: 'scope.denied',
        objectType: target.objectType,
        objectId: target.ref,
        outcome: 'denied',
        detail: {
          route: `${req.method} ${req.routeOptions.url ?? ''}`,
          probes: count.used,
          // Inside the account's own node, but not what it is assigned to (round 11).
          ...(beyond === 'withheld' ? { notAssigned: true } : {}),
        },
      });
    } catch (err) {
      req.log.error({ err }, 'scope probe check failed');
    }
  });
}
