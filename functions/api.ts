// What other parts of the product build on: the handler factories, configuration, agents, loggers and mailers.

export { agentClientFor } from './agent/agent-client.js';
export { createOutboxMailer } from './alerts/outbox-mailer.js';
export { parseFunctionConfig } from './config/parse.js';
export { FUNCTION_ENV } from './config/settings.js';
export { type Clock, type FunctionDeps, systemClock } from './deps.js';
export {
  createBackupHandler,
  createListHandler,
  createRestoreHandler,
  createRetentionHandler,
  createStatusHandler,
  createVerifyHandler,
} from './handlers.js';
export type { ListReport } from './list/run-list.js';
export { createCloudLogger } from './logging/logger.js';
export type { RunReport, TargetReport } from './report.js';
export type { StatusReport } from './status/run-status.js';
