// What other parts of the product build on: the handler factories, configuration, agents, loggers and mailers.

export { agentClientFor } from './agent/agent-client.js';

export { createGmailMailer, type GmailMailerOptions } from './alerts/gmail-mailer.js';
export type { Mailer } from './alerts/mailer.js';
export { buildAlert } from './alerts/message.js';
export { buildMime, type MailMessage } from './alerts/mime.js';
export { createOutboxMailer, type OutboxMailerOptions } from './alerts/outbox-mailer.js';
export { loadFunctionConfig, parseFunctionConfig, printableConfig } from './config/parse.js';
export type { FunctionConfig, Target } from './config/schema.js';
export { FUNCTION_ENV, FUNCTION_SECRET_ENV, SETTINGS } from './config/settings.js';
export { type Clock, createDefaultDeps, type FunctionDeps, type ProgressEvent, systemClock } from './deps.js';
export {
  createBackupHandler,
  createListHandler,
  createRestoreHandler,
  createRetentionHandler,
  createVerifyHandler,
} from './handlers.js';
export type { ListedBackup, ListReport } from './list/run-list.js';
export { type CloudLoggerOptions, createCloudLogger, type Logger } from './logging/logger.js';
export type { BackupOutcome, RestoreOutcome, RunReport, TargetReport, VerifyOutcome } from './report.js';
export type { Retention } from './retention/metadata.js';
export type { KeptBackup, PlannedBackup } from './retention/plan.js';
export type { RetentionReport, RetentionTargetReport } from './retention/run-retention.js';
