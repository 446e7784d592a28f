// A background job run in a process of its own, so the fault suite can kill -9 it at any point:
//   node --import tsx test/faults/child.ts escalation|snapshot|discovery|recover
// (the suite runs its compiled copy: test/setup/cli.ts).
// DATABASE_URL names the database; XGZ_FAULT_KEY the master key (hex) the data was written with.
import { openDatabase } from '../../src/db/connection.js';
import { loadConfig } from '../../src/config.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import { registerAuditKey } from '../../src/db/audit-chain.js';
import { SettingsStore } from '../../src/db/settings.js';
import { runEscalation } from '../../src/features/appeals/engine.js';
import { takeSystemSnapshots } from '../../src/features/indicators/service.js';
import { endInterruptedDiscoveryRuns, runDiscovery } from '../../src/features/discovery/run.js';
import { DEFAULT_DEADLINES } from '../../src/domain/cases/engine.js';
import type { AppContext } from '../../src/http/context.js';

export const ESCALATION_NOW = new Date('2031-06-01T00:00:00Z');
const SYSTEM = { userId: null, username: 'system', scopeKey: '', ip: null };

const job = process.argv[2];
const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL!, poolSize: 4 });
const ctx: AppContext = {
  config: loadConfig(),
  database,
  db: database.db,
  keys: deriveKeys(Buffer.from(process.env.XGZ_FAULT_KEY!, 'hex')),
  settings: new SettingsStore(database.db, 0),
};
registerAuditKey(ctx.db, ctx.keys.auditMac);
const t0 = performance.now();
process.stdout.write('READY\n');
// Escalation moves a case one level a pass (by design: the server runs it every few minutes), so
// "the job" here is its passes at one moment until nothing moves; a pass cut short leaves whole
// batches, and the passes after it reach the same state.
if (job === 'escalation')
  for (let moved = 1; moved > 0;) {
    const r = await runEscalation(ctx.db, DEFAULT_DEADLINES, ESCALATION_NOW, 7);
    moved = r.escalated + r.closed;
  }
else if (job === 'snapshot') await takeSystemSnapshots(ctx.db, true);
else if (job === 'discovery') {
  const run = await ctx.db
    .insertInto('discovery_run')
    .values({ scope_key: '', created_by: null, step: '排队' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await runDiscovery(ctx, SYSTEM, run.id);
} else if (job === 'recover') await endInterruptedDiscoveryRuns(ctx.db);
else throw new Error(`unknown job ${job}`);
process.stdout.write(`DONE ${Math.round(performance.now() - t0)}\n`);
await database.close();
