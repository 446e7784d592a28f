/** The notices-and-tasks feature's entrance (工作任务 · 通知). */
export { workTaskRoutes, setClock } from './routes.js';
export {
  runReminders,
  issue as issueDeployment,
  receive as receiveDeployment,
  reply as replyToDeployment,
  returnReply as returnDeploymentReply,
} from './service.js';
export {
  syncLedgerTask,
  closeLedgerTask,
  answerLedgerTask,
  returnLedgerTask,
  ledgerTaskOf,
  actorOf,
  SOURCE_LABELS,
  type LedgerTask,
  type Actor,
} from './ledger.js';
export * as workTaskContract from './contract.js';
export {
  deployVisitPlan,
  deployAssistanceProgram,
  deployCampaign,
  deployReportPeriod,
  deployAssessmentYear,
  closeDeployed,
} from './deployed.js';
