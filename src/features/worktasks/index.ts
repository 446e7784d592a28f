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
  SOURCE_LABELS,
  type LedgerTask,
} from './ledger.js';
export { actorOf, type Actor } from './replies.js';
export * as workTaskContract from './contract.js';
export {
  deployVisitPlan,
  followVisitPlans,
  deployAssistanceProgram,
  deployCampaign,
  deployReportPeriod,
  deployAssessmentYear,
  closeDeployed,
} from './deployed.js';
