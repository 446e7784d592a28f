import type { AppContext } from '../http/context.js';
import { registerDemoDiscovery } from './discovery.js';
import { registerDemoInstructors } from './instructors.js';
import { registerDemoOfficers } from './officers.js';
import { registerDemoTraining } from './training.js';
import { registerDemoPoints } from './points.js';
import { registerDemoHonours } from './honours.js';
import { registerDemoCampaign } from './campaign.js';
import { registerDemoSanliang } from './sanliang.js';
import { registerDemoNewEmployment } from './new-employment.js';
import { registerDemoAssistance } from './assistance.js';
import { registerDemoAppeals } from './appeals.js';
import { registerDemoDeployments } from './deployments.js';

/** Each step's counts and how long it took (ms). */
export type DemoWork = Record<string, Record<string, number>>;

/**
 * Once the demo's imports have run and its declared organizations are registered: the work a
 * clerk would have recorded, step by step, each in its own scoped transaction as the city editor
 * with one audit entry: a first discovery run (links and cases), instructors, officers (secretaries and their terms), secretary training,
 * contact and demonstration points, honours, this year's campaign and 三亮 with plaques, the new
 * employment groups (platforms, stations, riders, rider organizations), this year's assistance
 * programs, five months of riders' appeals and visits worked through the case engine, and the
 * city's notice and tasks on their way down (each act by the account whose work it is). Officers come before training, points and the campaign, which build on them; the last
 * two come after the rest, so the earlier steps' data stay as they were.
 */
export async function registerDemoWork(ctx: AppContext): Promise<DemoWork> {
  const steps: [string, (ctx: AppContext) => Promise<number | object>][] = [
    ['discovery', registerDemoDiscovery],
    ['instructors', registerDemoInstructors],
    ['officers', registerDemoOfficers],
    ['training', registerDemoTraining],
    ['points', registerDemoPoints],
    ['honours', registerDemoHonours],
    ['campaign', registerDemoCampaign],
    ['sanliang', registerDemoSanliang],
    ['newEmployment', registerDemoNewEmployment],
    ['assistance', registerDemoAssistance],
    ['appeals', registerDemoAppeals],
    ['deployments', registerDemoDeployments],
  ];
  const out: DemoWork = {};
  for (const [name, step] of steps) {
    const started = performance.now();
    const counts = await step(ctx);
    out[name] = {
      ...(typeof counts === 'number' ? { count: counts } : (counts as Record<string, number>)),
      ms: Math.round(performance.now() - started),
    };
  }
  return out;
}
