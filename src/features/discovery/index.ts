/** The discovery feature's entrance: its routes (the work list and the public self-report), and the cases that follow the facts, for the features whose changes they follow; the run, and at start-up the ending of runs a restart cut short. */
export { discoveryRoutes } from './routes.js';
export { selfReportRoutes } from './self-report.js';
export {
  followCases,
  followEntities,
  followImportBatch,
  refreshExactLinks,
  entitiesOfMembers,
  entitiesOfOrg,
  convertedIndividual,
  type CaseChange,
  type MemberFacts,
} from './follow.js';
export { endInterruptedDiscoveryRuns, runDiscovery } from './run.js';
export { raiseRosterAbsences } from './absent.js';
