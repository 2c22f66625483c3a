// Sends a run's one alert, if it needs one; a failed delivery is logged as its own event and changes nothing else.
import { errorCodeOf } from '../../core/errors.js';
import type { FunctionConfig } from '../config/schema.js';
import type { FunctionDeps } from '../deps.js';
import type { RunReport } from '../report.js';
import { buildAlert } from './message.js';

/** The sender of alerts delivered without Gmail (the local outbox). */
const LOCAL_SENDER = 'db-backup@localhost';

export async function sendRunAlert(
  report: RunReport,
  config: FunctionConfig,
  deps: FunctionDeps,
): Promise<void> {
  const message = buildAlert(report, {
    from: config.alerts.sender ?? LOCAL_SENDER,
    to: config.alerts.recipients,
    ...(config.project && { project: config.project }),
  });
  if (!message) return;
  const fields = { runId: report.runId, subject: message.subject };
  if (!deps.mailer || message.to.length === 0) {
    deps.logger.log('WARNING', 'alert.skipped', 'no alert delivery or recipients configured', fields);
    return;
  }
  try {
    await deps.mailer.send(message);
    deps.logger.log('INFO', 'alert.sent', `alert sent to ${message.to.length} recipient(s)`, fields);
  } catch (error) {
    deps.logger.log('ERROR', 'alert.failed', `the alert was not sent: ${(error as Error).message}`, {
      ...fields,
      errorCode: errorCodeOf(error) === 'INTERNAL' ? 'ALERT_FAILED' : errorCodeOf(error),
    });
  }
}
