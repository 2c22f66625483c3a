// What `doctor` reports: one row per check of the path a backup takes — each agent's signed ping, its route to
// storage, a canary upload, and the function's test mail — each failure with the fix that clears it.

export type CheckName = 'ping' | 'route' | 'canary' | 'mail';

export interface DoctorCheck {
  /** The agent's host, or `alerts` for what the function checks alone. */
  subject: string;
  check: CheckName;
  /** `skipped` when an earlier check of the same agent failed, so this one could not tell anything. */
  outcome: 'passed' | 'failed' | 'skipped';
  detail: string;
  /** What to do, for a failed check. */
  fix?: string;
}

export interface DoctorReport {
  kind: 'doctor';
  /** `failed` when any check failed. */
  status: 'ok' | 'failed';
  checkedAt: string;
  checks: DoctorCheck[];
}

export const passed = (subject: string, check: CheckName, detail: string): DoctorCheck => ({
  subject,
  check,
  outcome: 'passed',
  detail,
});

export const failed = (subject: string, check: CheckName, detail: string, fix: string): DoctorCheck => ({
  subject,
  check,
  outcome: 'failed',
  detail,
  fix,
});

export const skipped = (subject: string, check: CheckName, why: string): DoctorCheck => ({
  subject,
  check,
  outcome: 'skipped',
  detail: why,
});
