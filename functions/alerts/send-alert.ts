// Sends a run's one alert, if it needs one, and once per scheduled execution however often Cloud Scheduler
// retries it; a failed delivery is logged as its own event and changes nothing else.
import { errorCodeOf } from '../../core/errors.js';
import type { FunctionConfig } from '../config/schema.js';
import type { ScheduledExecution } from '../http/scheduled-execution.js';
import type { FunctionDeps } from '../run/deps.js';
import type { RunReport } from '../run/report.js';
import { type Claim, claimMarker, recordSend } from './alert-marker.js';
import { alertMarkerName } from './marker-name.js';
import { buildAlert } from './message.js';
import type { MailMessage } from './mime.js';

/** The sender of alerts delivered without Gmail (the local outbox). */
export const LOCAL_SENDER = 'db-backup@localhost';

type Fields = { runId: string; subject: string };
type Held = { name: string; claim: Extract<Claim, { kind: 'claimed' }> };

/**
 * Claims the execution's marker. Returns false when an earlier attempt already alerted; when the marker cannot be
 * named, written or read, the alert goes out anyway: a lost alert is worse than a duplicate.
 */
async function claimAlert(
  report: RunReport,
  message: MailMessage,
  execution: ScheduledExecution,
  config: FunctionConfig,
  deps: FunctionDeps,
  fields: Fields,
): Promise<Held | null | false> {
  const { logger } = deps;
  let name: string;
  try {
    name = alertMarkerName(config.prefix, report.kind, config.timeZone, execution);
  } catch (error) {
    logger.event('alert.marker-failed', `alerting without dedupe: ${(error as Error).message}`, fields);
    return null;
  }
  const claim = await claimMarker(
    deps.storage.bucket(config.bucket),
    name,
    {
      runId: report.runId,
      subject: message.subject,
      kind: report.kind,
      ...execution,
    },
    deps.clock.now(),
  );
  const markerFields = { ...fields, marker: name, ...execution };
  if (claim.kind === 'taken') {
    const earlier = claim.runId ? ` by run ${claim.runId}` : '';
    logger.event('alert.suppressed', `this scheduled execution was already alerted${earlier}`, {
      ...markerFields,
      alertedRunId: claim.runId,
      markerState: claim.state,
    });
    return false;
  }
  if (claim.kind === 'unknown') {
    logger.event('alert.marker-failed', `alerting without dedupe: ${claim.reason}`, markerFields);
    return null;
  }
  return { name, claim };
}

export async function sendRunAlert(
  report: RunReport,
  config: FunctionConfig,
  deps: FunctionDeps,
  execution?: ScheduledExecution,
): Promise<void> {
  const message = buildAlert(report, {
    from: config.alerts.sender ?? LOCAL_SENDER,
    to: config.alerts.recipients,
    ...(config.project && { project: config.project }),
  });
  if (!message) return;
  const fields = { runId: report.runId, subject: message.subject };
  if (!deps.mailer || message.to.length === 0) {
    deps.logger.event('alert.skipped', 'no alert delivery or recipients configured', fields);
    return;
  }
  const held = execution ? await claimAlert(report, message, execution, config, deps, fields) : null;
  if (held === false) return;
  let sent = false;
  try {
    await deps.mailer.send(message);
    sent = true;
    deps.logger.event('alert.sent', `alert sent to ${message.to.length} recipient(s)`, fields);
  } catch (error) {
    deps.logger.event('alert.failed', `the alert was not sent: ${(error as Error).message}`, {
      ...fields,
      errorCode: errorCodeOf(error) === 'INTERNAL' ? 'ALERT_FAILED' : errorCodeOf(error),
    });
  }
  if (!held) return;
  // A marker left `failed` lets the next retry take it over and try the alert again.
  await recordSend(deps.storage.bucket(config.bucket), held.name, held.claim, sent ? 'sent' : 'failed').catch(
    (error: Error) =>
      deps.logger.event('alert.marker-failed', `could not record the send: ${error.message}`, {
        ...fields,
        marker: held.name,
      }),
  );
}
