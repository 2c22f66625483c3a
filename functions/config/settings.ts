// Every setting of the function, declared once: its environment variable, its rule and default (one zod schema),
// and what it means. The config type, the parser, the printed config and Terraform's side all derive from here.
import { z } from 'zod';
import { validatePrefix, validateTimeZone } from '../../core/object-name.js';
import { nameSchema } from '../../core/protocol.js';
import {
  agentsSchema,
  checkedBy,
  cronSchema,
  integer,
  json,
  list,
  privateKeySchema,
  publicKeysSchema,
  targetsSchema,
} from './value-schemas.js';

export interface Setting<S extends z.ZodType = z.ZodType> {
  /** The environment variable Terraform sets; a JSON config file uses the setting's own key instead. */
  readonly env: string;
  /** The rule, with `.default()` or `.optional()` when the setting may be left out. */
  readonly schema: S;
  readonly description: string;
  /** Injected from Secret Manager, and masked whenever the configuration is printed. */
  readonly secret?: true;
}

function setting<S extends z.ZodType>(declared: Setting<S>): Setting<S> {
  return declared;
}

export const SETTINGS = {
  bucket: setting({
    env: 'BACKUP_BUCKET',
    schema: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/,
        'must be a Cloud Storage bucket name (3-63 a-z 0-9 . _ -)',
      ),
    description: 'The bucket the backups are written to.',
  }),
  prefix: setting({
    env: 'BACKUP_PREFIX',
    schema: checkedBy(validatePrefix).default(''),
    description: 'Prepended to every object name, e.g. `nightly/`.',
  }),
  timeZone: setting({
    env: 'BACKUP_TIME_ZONE',
    schema: checkedBy(validateTimeZone).default('UTC'),
    description: 'IANA time zone whose calendar names the backups and reads the schedule.',
  }),
  schedule: setting({
    env: 'BACKUP_SCHEDULE',
    schema: cronSchema.default('0 2 * * *'),
    description:
      "The backup's cron (Cloud Scheduler's), in the time zone; verify checks its latest run's date.",
  }),
  drillSchedule: setting({
    env: 'BACKUP_DRILL_SCHEDULE',
    schema: cronSchema.default('0 8 * * 0'),
    description:
      "The restore drill's cron, in the time zone; status reports a drill its latest run did not make.",
  }),
  deepCheckSchedule: setting({
    env: 'BACKUP_DEEP_CHECK_SCHEDULE',
    schema: cronSchema.default('0 7 * * 6'),
    description:
      "The deep check's cron, in the time zone; status reports a deep check its latest run did not make.",
  }),
  binlogSchedule: setting({
    env: 'BACKUP_BINLOG_SCHEDULE',
    schema: cronSchema.default('*/5 * * * *'),
    description:
      "The binary-log shipping's cron, in the time zone: the closed logs of every pointInTime target shipped.",
  }),
  rpoMinutes: setting({
    env: 'BACKUP_RPO_MINUTES',
    // A day at most: a nightly full backup already bounds what is lost to a day.
    schema: integer(1, 1440).default(15),
    description:
      "The recovery-point target: verify alerts when a pointInTime database's shipped logs reach less recently.",
  }),
  targets: setting({
    env: 'BACKUP_TARGETS',
    schema: json(targetsSchema),
    description:
      'JSON array of targets: [{ id, database, engine, agentUrl, compression?, encryption?, pointInTime? }], backed up in order.',
  }),
  agents: setting({
    env: 'BACKUP_AGENTS',
    schema: json(agentsSchema),
    description:
      "JSON array of agents: [{ url, publicKey, tlsCaCert?, tlsCertSha256? }]; each target's agentUrl is one.",
  }),
  onError: setting({
    env: 'BACKUP_ON_ERROR',
    schema: z.enum(['stop', 'continue']).default('stop'),
    description: 'After a failed database, `stop` skips the rest of the run; `continue` goes on.',
  }),
  concurrency: setting({
    env: 'BACKUP_CONCURRENCY',
    schema: integer(1, 16).default(1),
    description: 'How many databases of one agent are dumped at once.',
  }),
  pollBudgetSeconds: setting({
    env: 'BACKUP_POLL_BUDGET_SECONDS',
    // Well under Cloud Scheduler's 30-minute attempt deadline, leaving time to check, record and alert.
    schema: integer(0, 1740).default(1200),
    description: 'How long a run waits for its jobs before leaving them to the watchdog.',
  }),
  pollIntervalSeconds: setting({
    env: 'BACKUP_POLL_INTERVAL_SECONDS',
    schema: z.coerce.number().min(0.01).max(60).default(5),
    description: "Seconds between two reads of a running job's state.",
  }),
  agentTimeoutSeconds: setting({
    env: 'BACKUP_AGENT_TIMEOUT_SECONDS',
    schema: z.coerce.number().min(1).max(300).default(30),
    description: 'How long one call to an agent may take.',
  }),
  retentionDailyDays: setting({
    env: 'BACKUP_RETENTION_DAILY_DAYS',
    schema: integer(1, 31).default(7),
    description: 'Days each daily backup is kept.',
  }),
  retentionWeeklyWeeks: setting({
    env: 'BACKUP_RETENTION_WEEKLY_WEEKS',
    schema: integer(0, 104).default(4),
    description: "Weeks each ISO week's first good backup is kept (0: no weekly copies).",
  }),
  retentionMonthlyMonths: setting({
    env: 'BACKUP_RETENTION_MONTHLY_MONTHS',
    schema: integer(0, 120).default(12),
    description: "Months each month's first good backup is kept (0: no monthly copies).",
  }),
  retentionYearlyYears: setting({
    env: 'BACKUP_RETENTION_YEARLY_YEARS',
    schema: integer(0, 100).default(5),
    description: "Years each year's first good backup is kept (0: no yearly copies).",
  }),
  shrinkWarningRatio: setting({
    env: 'BACKUP_SHRINK_WARNING_RATIO',
    schema: z.coerce.number().min(0).max(1).default(0.5),
    description:
      "A dump smaller than this share of the median of the target's last 7 is a warning (0: never).",
  }),
  restoreUrlMinutes: setting({
    env: 'BACKUP_RESTORE_URL_MINUTES',
    // A week, V4's longest: a restore queued behind others on its agent, or resuming a broken download after
    // hours, must still find its URL valid. It reads one generation of one object and is never logged.
    schema: integer(1, 7 * 24 * 60).default(7 * 24 * 60),
    description:
      'Lifetime of the signed URL through which an agent reads the backup it restores; it must outlive the longest restore, its wait in the agent’s queue included.',
  }),
  signingKeyId: setting({
    env: 'BACKUP_SIGNING_KEY_ID',
    schema: nameSchema,
    description: 'The id under which the agents trust the signing key.',
  }),
  signingKey: setting({
    env: 'BACKUP_SIGNING_KEY',
    schema: privateKeySchema,
    description:
      'The Ed25519 private key (PEM) that signs requests to the agents and attests each backup it checked.',
    secret: true,
  }),
  retiredSigningKeys: setting({
    env: 'BACKUP_RETIRED_SIGNING_KEYS',
    schema: json(publicKeysSchema).default({}),
    description:
      'JSON object of the public keys (PEM) of earlier signing keys by key id: backups they attested stay proven after a rotation.',
  }),
  schedulerServiceAccount: setting({
    env: 'BACKUP_SCHEDULER_SERVICE_ACCOUNT',
    schema: z.email().optional(),
    description:
      "Cloud Scheduler's identity: its X-CloudScheduler headers are believed from this account only.",
  }),
  alertRecipients: setting({
    env: 'ALERT_RECIPIENTS',
    schema: list(z.email()).default([]),
    description: 'Who receives the alerts, comma-separated.',
  }),
  alertSender: setting({
    env: 'ALERT_SENDER',
    schema: z.email().optional(),
    description: 'The mailbox the alerts are sent from.',
  }),
  gmailAuth: setting({
    env: 'GMAIL_AUTH',
    schema: z.enum(['oauth', 'service-account']).optional(),
    description:
      '`oauth` (a Gmail account) or `service-account` (Workspace domain-wide delegation); none: no mail.',
  }),
  gmailCredentials: setting({
    env: 'GMAIL_CREDENTIALS',
    schema: json(z.record(z.string(), z.unknown())).optional(),
    description: 'JSON credentials for the chosen Gmail authentication.',
    secret: true,
  }),
  project: setting({
    env: 'GOOGLE_CLOUD_PROJECT',
    schema: z
      .string()
      .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a Google Cloud project id')
      .optional(),
    description: 'The project, for links to its logs.',
  }),
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** The raw values, one per setting, as the schema reads them. */
export const settingsSchema = z.strictObject(
  Object.fromEntries(Object.entries(SETTINGS).map(([name, { schema }]) => [name, schema])) as {
    [K in SettingName]: (typeof SETTINGS)[K]['schema'];
  },
);
export type Settings = z.infer<typeof settingsSchema>;

/** The environment variable of each setting, e.g. FUNCTION_ENV.bucket === 'BACKUP_BUCKET'. */
export const FUNCTION_ENV = Object.fromEntries(
  Object.entries(SETTINGS).map(([name, { env }]) => [name, env]),
) as { [K in SettingName]: (typeof SETTINGS)[K]['env'] };

/** The variables whose values come from Secret Manager. */
export const FUNCTION_SECRET_ENV: readonly string[] = Object.values(SETTINGS)
  .filter((declared: Setting) => declared.secret)
  .map(({ env }) => env);
