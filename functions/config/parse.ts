// Reads the configuration once: environment variables over an optional JSON file, validated, secrets masked.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { FUNCTION_CONFIG_FILE_ENV, FUNCTION_ENV } from './env-names.js';
import { type FunctionConfig, type GmailConfig, gmailCredentialSchemas, rawConfigSchema } from './schema.js';
import { Secret } from './secret.js';

type Env = Readonly<Record<string, string | undefined>>;
type Field = keyof typeof FUNCTION_ENV;

const ENV_FIELDS = Object.entries(FUNCTION_ENV) as [Field, string][];

/** `targets.0.engine (BACKUP_TARGETS): …` — the field, and the variable a reader would go and fix. */
function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const [field, ...rest] = issue.path.map(String);
      const variable = FUNCTION_ENV[field as Field] as string | undefined;
      const where = [field, ...rest].join('.') + (variable ? ` (${variable})` : '');
      const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
      return `${where}: ${missing ? 'is required' : issue.message}`;
    })
    .join('; ');
}

function gmailConfig(raw: z.infer<typeof rawConfigSchema>): GmailConfig | undefined {
  const { gmailAuth: auth, gmailCredentials, alertSender: sender, alertRecipients } = raw;
  if (!auth) return undefined;
  const missing = [
    !gmailCredentials && FUNCTION_ENV.gmailCredentials,
    !sender && FUNCTION_ENV.alertSender,
    alertRecipients.length === 0 && FUNCTION_ENV.alertRecipients,
  ].filter(Boolean);
  if (missing.length > 0 || !sender) {
    throw new ConfigError(
      `invalid function configuration: ${FUNCTION_ENV.gmailAuth}=${auth} needs ${missing.join(', ')}`,
    );
  }
  const credentials = <T>(schema: z.ZodType<T>): Secret<T> => {
    const parsed = schema.safeParse(gmailCredentials);
    if (parsed.success) return new Secret(parsed.data);
    // Paths and messages only: zod's messages never echo a credential's value.
    const fields = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(
      `invalid function configuration: gmailCredentials (${FUNCTION_ENV.gmailCredentials}) for ${auth}: ${fields}`,
    );
  };
  return auth === 'oauth'
    ? { auth, sender, credentials: credentials(gmailCredentialSchemas.oauth) }
    : { auth, sender, credentials: credentials(gmailCredentialSchemas['service-account']) };
}

/**
 * Pure: the configuration from environment variables, over the fields of a parsed JSON file when given.
 * Empty variables count as unset (Terraform writes them so). Throws ConfigError naming every bad field.
 */
export function parseFunctionConfig(env: Env, file: unknown = {}): FunctionConfig {
  if (typeof file !== 'object' || file === null || Array.isArray(file)) {
    throw new ConfigError(
      `invalid function configuration: the file (${FUNCTION_CONFIG_FILE_ENV}) must hold a JSON object`,
    );
  }
  const merged: Record<string, unknown> = { ...file };
  for (const [field, variable] of ENV_FIELDS) {
    const value = env[variable];
    if (value !== undefined && value.trim() !== '') merged[field] = value;
  }
  const result = rawConfigSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(`invalid function configuration: ${describe(result.error)}`);
  const raw = result.data;
  const gmail = gmailConfig(raw);
  return {
    bucket: raw.bucket,
    prefix: raw.prefix,
    timeZone: raw.timeZone,
    targets: raw.targets,
    onError: raw.onError,
    concurrency: raw.concurrency,
    pollBudgetSeconds: raw.pollBudgetSeconds,
    pollIntervalSeconds: raw.pollIntervalSeconds,
    agentTimeoutSeconds: raw.agentTimeoutSeconds,
    jobTimeoutMinutes: raw.jobTimeoutMinutes,
    signingKey: { id: raw.signingKeyId, privateKey: raw.signingKey },
    alerts: {
      recipients: raw.alertRecipients,
      ...(raw.alertSender && { sender: raw.alertSender }),
      ...(gmail && { gmail }),
    },
    ...(raw.project && { project: raw.project }),
  };
}

/** The configuration of this process: reads the JSON file named by BACKUP_CONFIG_FILE, if any, then parses. */
export function loadFunctionConfig(env: Env = process.env): FunctionConfig {
  const path = env[FUNCTION_CONFIG_FILE_ENV];
  if (!path) return parseFunctionConfig(env);
  let file: unknown;
  try {
    file = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ConfigError(`cannot read the configuration file ${path} (${FUNCTION_CONFIG_FILE_ENV})`, {
      cause,
    });
  }
  return parseFunctionConfig(env, file);
}

/** The configuration as safe to print: the signing key and the Gmail credentials masked. */
export function printableConfig(config: FunctionConfig): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({ ...config, signingKey: { id: config.signingKey.id, privateKey: '[redacted]' } }),
  );
}
