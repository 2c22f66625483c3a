// Every event the function logs, with its severity and whether the admin must act on it. The `alerting` mark is
// set here and nowhere else, so Cloud Monitoring's backstop (which works when Gmail does not) selects exactly
// these entries (`jsonPayload.alerting=true`), and an event cannot be added without deciding which it is.

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface EventKind {
  severity: Severity;
  /**
   * The admin must act: a backup is missing, failed, doubtful or stuck, a copy's retention could not be kept or
   * applied, a restore (or the weekly drill) failed, a binary log was not shipped or was lost, or the alert itself did
   * not go out.
   */
  alerting: boolean;
}

const info: EventKind = { severity: 'INFO', alerting: false };
const notice: EventKind = { severity: 'NOTICE', alerting: false };
const warning: EventKind = { severity: 'WARNING', alerting: false };
const error: EventKind = { severity: 'ERROR', alerting: false };
const mustAct = (severity: Severity): EventKind => ({ severity, alerting: true });

export const EVENTS = {
  'config.invalid': mustAct('CRITICAL'),
  'request.refused': warning,
  'request.failed': mustAct('ERROR'),
  'run.planned': info,
  'run.started': info,
  'run.finished': info,
  'run.failed': error,
  'backup.started': info,
  'backup.submitted': info,
  'backup.attached': notice,
  'backup.exists': info,
  'backup.succeeded': info,
  'backup.warning': mustAct('WARNING'),
  'backup.failed': mustAct('ERROR'),
  'backup.skipped': warning,
  'backup.running': notice,
  'backup.poll-failed': warning,
  'backup.cancel-failed': warning,
  'verify.started': info,
  'verify.finished': info,
  'verify.found-problems': error,
  'verify.verified': info,
  'verify.settled': info,
  'verify.running': notice,
  'verify.warning': mustAct('WARNING'),
  'verify.missing': mustAct('ERROR'),
  'verify.failed': mustAct('ERROR'),
  'verify.interrupted': mustAct('ERROR'),
  'verify.stuck': mustAct('ERROR'),
  'verify.cancel-failed': warning,
  'retention.started': info,
  'retention.extended': info,
  'retention.unchecked': notice,
  'retention.target-failed': mustAct('ERROR'),
  'retention.finished': info,
  'retention.failed': error,
  'retention.held': notice,
  'retention.hold-failed': mustAct('ERROR'),
  'restore.started': info,
  /** A scratch database a restore kept, dropped as asked. */
  'restore.scratch-dropped': info,
  'restore.finished': info,
  'restore.found-problems': error,
  'restore.submitted': info,
  'restore.attached': notice,
  'restore.restored': info,
  'restore.running': notice,
  'restore.missing': mustAct('ERROR'),
  'restore.failed': mustAct('ERROR'),
  'restore.poll-failed': warning,
  'restore.mark-failed': warning,
  'restore.cancel-failed': warning,
  'binlogs.started': info,
  'binlogs.finished': info,
  'binlogs.found-problems': error,
  /** One log shipped, checked and attested. */
  'binlogs.log-shipped': info,
  'binlogs.shipped': info,
  'binlogs.current': info,
  'binlogs.failed': mustAct('ERROR'),
  'chain.unbroken': info,
  /** A pointInTime database cannot be restored to a recent moment: a gap, a new server, a stale chain. */
  'chain.broken': mustAct('ERROR'),
  'list.listed': info,
  'status.checked': info,
  'doctor.passed': info,
  'doctor.failed': warning,
  'status.record-failed': warning,
  'object.unproven': mustAct('ERROR'),
  'object.attested': notice,
  'object.attest-failed': warning,
  'alert.sent': info,
  'alert.skipped': warning,
  'alert.suppressed': notice,
  'alert.marker-failed': warning,
  'alert.failed': mustAct('ERROR'),
} as const satisfies Record<string, EventKind>;

export type EventName = keyof typeof EVENTS;
