// The function's configuration schema: every field, its validation and its default, in one place.
import { z } from 'zod';
import { backupExtension, ENGINES } from '../../core/formats.js';
import { validatePrefix, validateTimeZone } from '../../core/object-name.js';
import { compressionSchema, nameSchema } from '../../core/protocol.js';
import { loadPrivateKey, type SigningKey } from '../../core/signing/index.js';
import type { Secret } from './secret.js';

export const CONFIG_DEFAULTS = {
  prefix: '',
  timeZone: 'UTC',
  onError: 'stop',
  concurrency: 1,
  /** Well under Cloud Scheduler's 30-minute attempt deadline, leaving time to check, record and alert. */
  pollBudgetSeconds: 1200,
  pollIntervalSeconds: 5,
  agentTimeoutSeconds: 30,
  jobTimeoutMinutes: 180,
  compression: { algorithm: 'gzip' },
} as const;

/** Accepts a JSON text (as environment variables carry it) or an already parsed value (from a JSON file). */
function json<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
      return z.NEVER;
    }
  }, schema);
}

/** A comma-separated list from the environment, or an array from a file. */
function list<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((part) => part.trim())
            .filter(Boolean)
        : value,
    z.array(item),
  );
}

function validated(check: (value: string) => unknown) {
  return z.string().superRefine((value, ctx) => {
    try {
      check(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });
}

const targetSchema = z.strictObject({
  id: nameSchema,
  database: nameSchema,
  engine: z.enum(ENGINES),
  agentUrl: z.url({ protocol: /^https?$/ }),
  compression: compressionSchema.default(CONFIG_DEFAULTS.compression),
});

const targetsSchema = z
  .array(targetSchema)
  .min(1, 'must list at least one target')
  .superRefine((targets, ctx) => {
    const seen = { id: new Set<string>(), object: new Set<string>() };
    targets.forEach((target, index) => {
      // Two targets naming the same object would make the second one always `exists`.
      const object = target.database + backupExtension(target.engine, target.compression.algorithm);
      if (seen.id.has(target.id)) {
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate target id "${target.id}"` });
      }
      if (seen.object.has(object)) {
        ctx.addIssue({ code: 'custom', path: [index, 'database'], message: `two targets write ${object}` });
      }
      seen.id.add(target.id);
      seen.object.add(object);
    });
  });

const oauthCredentials = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  refresh_token: z.string().min(1),
  token_uri: z.url().optional(),
});
const serviceAccountCredentials = z.object({
  client_email: z.email(),
  private_key: z.string().min(1),
  token_uri: z.url().optional(),
});
export type OAuthCredentials = z.infer<typeof oauthCredentials>;
export type ServiceAccountCredentials = z.infer<typeof serviceAccountCredentials>;

const seconds = (max: number) => z.coerce.number().int().min(0).max(max);

/** The raw fields, camelCase as in FUNCTION_ENV (plus file-only tuning knobs). */
export const rawConfigSchema = z.strictObject({
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, 'must be a Cloud Storage bucket name (3-63 a-z 0-9 . _ -)'),
  prefix: validated(validatePrefix).default(CONFIG_DEFAULTS.prefix),
  timeZone: validated(validateTimeZone).default(CONFIG_DEFAULTS.timeZone),
  targets: json(targetsSchema),
  onError: z.enum(['stop', 'continue']).default(CONFIG_DEFAULTS.onError),
  concurrency: z.coerce.number().int().min(1).max(16).default(CONFIG_DEFAULTS.concurrency),
  pollBudgetSeconds: seconds(1740).default(CONFIG_DEFAULTS.pollBudgetSeconds),
  pollIntervalSeconds: z.coerce.number().min(0.01).max(60).default(CONFIG_DEFAULTS.pollIntervalSeconds),
  agentTimeoutSeconds: z.coerce.number().min(1).max(300).default(CONFIG_DEFAULTS.agentTimeoutSeconds),
  jobTimeoutMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(CONFIG_DEFAULTS.jobTimeoutMinutes),
  signingKeyId: nameSchema,
  // Terraform injects the PEM from Secret Manager as this environment variable (secret_environment_variables).
  signingKey: z.string().transform((pem, ctx) => {
    try {
      // A PEM pasted into a one-line variable often arrives with literal "\n".
      return loadPrivateKey(pem.replaceAll('\\n', '\n'));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  alertRecipients: list(z.email()).default([]),
  alertSender: z.email().optional(),
  gmailAuth: z.enum(['oauth', 'service-account']).optional(),
  gmailCredentials: json(z.record(z.string(), z.unknown())).optional(),
  project: z
    .string()
    .regex(/^[a-z][a-z0-9-]{4,29}$/, 'must be a Google Cloud project id')
    .optional(),
});

export type Target = z.infer<typeof targetSchema>;

export type GmailConfig =
  | { auth: 'oauth'; sender: string; credentials: Secret<OAuthCredentials> }
  | { auth: 'service-account'; sender: string; credentials: Secret<ServiceAccountCredentials> };

export interface FunctionConfig {
  bucket: string;
  prefix: string;
  timeZone: string;
  targets: Target[];
  onError: 'stop' | 'continue';
  concurrency: number;
  pollBudgetSeconds: number;
  pollIntervalSeconds: number;
  agentTimeoutSeconds: number;
  jobTimeoutMinutes: number;
  /** A KeyObject prints no key material; the PEM text is not kept. */
  signingKey: SigningKey;
  alerts: { recipients: string[]; sender?: string; gmail?: GmailConfig };
  project?: string;
}

export const gmailCredentialSchemas = {
  oauth: oauthCredentials,
  'service-account': serviceAccountCredentials,
};
