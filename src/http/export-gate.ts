import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EXPORTS_IN_ALL, EXPORTS_PER_ACCOUNT, TransferGate } from './slot-gate.js';
import { setExportMaxRows } from './export-route.js';

/**
 * The export routes: a list's …/export, a board's ….xlsx, and an import's error report (a workbook of
 * every refused row, each decrypted back to the row as uploaded: round 14 left it out of the gate).
 */
const EXPORT_URL = /\/export$|\.xlsx$|^\/api\/v1\/imports\/:id\/errors$/;

const held = new WeakMap<FastifyRequest, () => void>();

/**
 * A slot of the process's export gate (http/slot-gate.ts) for every export, from before its rows are
 * read until its answer is sent or its reader goes: nothing limited how many exports one session ran
 * at once, and eight of a county's entities (5,000 rows each, with the rows' personal fields
 * decrypted) took 50 s each while a public page took up to 18 s (round 14). Past the account's two
 * or the process's four, 429 in Chinese before anything is read. Installed before the routes.
 */
export function installExportGate(app: FastifyInstance): void {
  setExportMaxRows(app.ctx.config.exportMaxRows);
  const gate = new TransferGate('export', EXPORTS_PER_ACCOUNT, EXPORTS_IN_ALL);
  const take = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!req.user) return;
    const done = gate.enter(req.user.id);
    held.set(req, done);
    reply.raw.once('close', done); // a reader that goes gives its slot back
  };
  const give = async (req: FastifyRequest): Promise<void> => held.get(req)?.();
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/') || !EXPORT_URL.test(route.url)) return;
    route.preHandler = [...[route.preHandler ?? []].flat(), take];
    route.onResponse = [...[route.onResponse ?? []].flat(), give];
  });
}
