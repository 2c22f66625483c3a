// The shapes a setting's value can take: JSON or comma lists from the environment, targets, agents, Gmail credentials.
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { compressionSchema } from '../../core/compression.js';
import { backupExtension, ENGINE_NAMES } from '../../core/formats.js';
import { nameSchema } from '../../core/protocol.js';
import { loadPrivateKey, loadPublicKey } from '../../core/signing/index.js';

/** Accepts a JSON text (as environment variables carry it) or an already parsed value (from a JSON file). */
export function json<T extends z.ZodType>(schema: T) {
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
export function list<T extends z.ZodType>(item: T) {
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

/** A whole number from a variable's text or a file's number. */
export function integer(min: number, max: number) {
  return z.coerce.number().int().min(min).max(max);
}

/** A string checked by a function of core/ that throws an error naming what is wrong. */
export function checkedBy(check: (value: string) => unknown) {
  return z.string().superRefine((value, ctx) => {
    try {
      check(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });
}

/** A PEM key, loaded; the text itself is not kept. A PEM pasted into one line often arrives with literal "\n". */
function pemKey(load: typeof loadPrivateKey) {
  return z.string().transform((pem, ctx) => {
    try {
      return load(pem.replaceAll('\\n', '\n'));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}
export const privateKeySchema = pemKey(loadPrivateKey);
const publicKeySchema = pemKey(loadPublicKey);

/** Public keys (PEM) by key id, e.g. the signing keys used before the current one. */
export const publicKeysSchema = z.record(nameSchema, publicKeySchema);

/** Cloud Scheduler's unix-cron: exactly five fields, read by the same parser that later finds the last run. */
export const cronSchema = z
  .string()
  .trim()
  .refine((value) => value.split(/\s+/).length === 5, 'must be a cron expression of 5 fields')
  .superRefine((value, ctx) => {
    try {
      CronExpressionParser.parse(value);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid cron expression: ${(error as Error).message}`,
      });
    }
  });

const httpUrl = z.url({ protocol: /^https?$/ });

export const targetSchema = z.strictObject({
  id: nameSchema,
  database: nameSchema,
  engine: z.enum(ENGINE_NAMES),
  agentUrl: httpUrl,
  compression: compressionSchema.default({ algorithm: 'gzip' }),
  /**
   * `required`: its backups are age-encrypted on the VM (named `….age`) and refused where the agent holds no
   * recipients for it; `off`: a plain backup, an opt-out the agent must agree with. The Terraform module's default
   * is `required`.
   */
  encryption: z.enum(['required', 'off']).default('off'),
  /**
   * Its server's closed binary logs are shipped beside its backups on BACKUP_BINLOG_SCHEDULE, and their chain is
   * watched, so it can be restored to a moment (docs/point-in-time-recovery.md): MySQL/MariaDB targets only.
   */
  pointInTime: z.boolean().default(false),
});
export type Target = z.infer<typeof targetSchema>;

export const targetsSchema = z
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
      if (target.pointInTime && target.engine !== 'mysql') {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'pointInTime'],
          message: `point-in-time recovery ships MySQL/MariaDB binary logs only; ${target.id} is ${target.engine}`,
        });
      }
      if (seen.object.has(object)) {
        ctx.addIssue({ code: 'custom', path: [index, 'database'], message: `two targets write ${object}` });
      }
      seen.id.add(target.id);
      seen.object.add(object);
    });
  });

export const agentSchema = z.strictObject({
  /** Exactly as targets' agentUrl name it. */
  url: httpUrl,
  /** The agent's own Ed25519 public key: only answers it signed are believed. */
  publicKey: publicKeySchema,
  /** With https: a private CA to trust instead of the public ones. */
  tlsCaCert: z.string().includes('-----BEGIN CERTIFICATE-----', 'must be a PEM certificate').optional(),
  /** With https: the SHA-256 fingerprint of the one certificate to accept. */
  tlsCertSha256: z
    .string()
    .regex(/^(?:[0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/, 'must be a SHA-256 fingerprint (64 hex digits)')
    .transform((hex) => hex.replaceAll(':', '').toLowerCase())
    .optional(),
});
export type AgentEndpoint = z.infer<typeof agentSchema>;

export const agentsSchema = z
  .array(agentSchema)
  .min(1, 'must list at least one agent')
  .superRefine((agents, ctx) => {
    const seen = new Set<string>();
    agents.forEach((agent, index) => {
      if (seen.has(agent.url)) {
        ctx.addIssue({ code: 'custom', path: [index, 'url'], message: `duplicate agent url ${agent.url}` });
      }
      seen.add(agent.url);
    });
  });

export const gmailCredentialSchemas = {
  oauth: z.object({
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
    refresh_token: z.string().min(1),
    token_uri: z.url().optional(),
  }),
  'service-account': z.object({
    client_email: z.email(),
    private_key: z.string().min(1),
    token_uri: z.url().optional(),
  }),
};
export type OAuthCredentials = z.infer<typeof gmailCredentialSchemas.oauth>;
export type ServiceAccountCredentials = z.infer<(typeof gmailCredentialSchemas)['service-account']>;
