// The environment variables the function reads: the single list Terraform's function resource must set.
// test/unit/terraform checks the module against this table, so a rename here fails until Terraform follows.

export const FUNCTION_ENV = {
  bucket: 'BACKUP_BUCKET',
  prefix: 'BACKUP_PREFIX',
  timeZone: 'BACKUP_TIME_ZONE',
  /** JSON array of targets: [{ id, database, engine, agentUrl, compression? }] */
  targets: 'BACKUP_TARGETS',
  onError: 'BACKUP_ON_ERROR',
  concurrency: 'BACKUP_CONCURRENCY',
  pollBudgetSeconds: 'BACKUP_POLL_BUDGET_SECONDS',
  /** After this many minutes a job still running is reported by `verify` as stuck. */
  jobTimeoutMinutes: 'BACKUP_JOB_TIMEOUT_MINUTES',
  signingKeyId: 'BACKUP_SIGNING_KEY_ID',
  /** Secret: the Ed25519 private key as PEM, injected from Secret Manager. */
  signingKey: 'BACKUP_SIGNING_KEY',
  alertRecipients: 'ALERT_RECIPIENTS',
  alertSender: 'ALERT_SENDER',
  /** `oauth` (a personal Gmail account) or `service-account` (Workspace domain-wide delegation). */
  gmailAuth: 'GMAIL_AUTH',
  /** Secret: JSON credentials for the chosen Gmail authentication, injected from Secret Manager. */
  gmailCredentials: 'GMAIL_CREDENTIALS',
  project: 'GOOGLE_CLOUD_PROJECT',
} as const;

/**
 * Outside Cloud Run only: a JSON file with the same fields (camelCase keys); a variable that is set wins over
 * the file. The deployed function is configured by the variables above alone, so Terraform leaves this unset.
 */
export const FUNCTION_CONFIG_FILE_ENV = 'BACKUP_CONFIG_FILE';

/** The variables whose values come from Secret Manager rather than plain configuration. */
export const FUNCTION_SECRET_ENV = [FUNCTION_ENV.signingKey, FUNCTION_ENV.gmailCredentials] as const;
