// What other parts of the product build on: the handler factories, configuration, agents, loggers and mailers.

export { agentClientFor } from './agent/agent-client.js';
export { createOutboxMailer } from './alerts/outbox-mailer.js';
export { parseFunctionConfig } from './config/parse.js';
export { FUNCTION_ENV } from './config/settings.js';
export { CANARY_FOLDER } from './doctor/canary-check.js';
export type { DoctorReport } from './doctor/report.js';
export {
  createBackupHandler,
  createDoctorHandler,
  createListHandler,
  createRestoreHandler,
  createRetentionHandler,
  createStatusHandler,
  createVerifyHandler,
} from './http/handlers.js';
export type { ListReport } from './list/run-list.js';
export { createCloudLogger } from './logging/logger.js';
export type { DropScratchReport } from './restore/drop-scratch.js';
export { type Clock, systemClock } from './run/clock.js';
export type { FunctionDeps } from './run/deps.js';
export type { RunReport, TargetReport } from './run/report.js';
export type { StatusReport } from './status/run-status.js';
