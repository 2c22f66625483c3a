// Reads the configuration once: environment variables over an optional JSON file, each setting checked by its
// declaration, errors naming the setting and its variable, secrets masked when printed.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';
import { describeIssues } from '../../core/protocol.js';
import { assembleConfig, type FunctionConfig } from './schema.js';
import { SETTINGS, type SettingName, settingsSchema } from './settings.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Outside Cloud Run only: a JSON file with the same settings (their camelCase names as keys); a variable that is
 * set wins over the file. The deployed function is configured by variables alone, so Terraform leaves this unset.
 */
const FUNCTION_CONFIG_FILE_ENV = 'BACKUP_CONFIG_FILE';

const NAMES = Object.keys(SETTINGS) as SettingName[];

function isSetting(name: string): name is SettingName {
  return Object.hasOwn(SETTINGS, name);
}

/** `targets.0.engine (BACKUP_TARGETS)`: the setting, and the variable a reader would go and fix. */
function settingLabel(path: string[]): string {
  const [name] = path;
  const variable = name !== undefined && isSetting(name) ? ` (${SETTINGS[name].env})` : '';
  return `${path.join('.')}${variable}`;
}

function invalid(message: string): ConfigError {
  return new ConfigError(`invalid function configuration: ${message}`);
}

/**
 * Pure: the configuration from environment variables, over the fields of a parsed JSON file when given.
 * Empty variables count as unset (Terraform writes them so). Throws ConfigError naming every bad setting.
 */
export function parseFunctionConfig(env: Env, file: unknown = {}): FunctionConfig {
  if (typeof file !== 'object' || file === null || Array.isArray(file)) {
    throw invalid(`the file (${FUNCTION_CONFIG_FILE_ENV}) must hold a JSON object`);
  }
  const merged: Record<string, unknown> = { ...file };
  for (const name of NAMES) {
    const value = env[SETTINGS[name].env];
    if (value !== undefined && value.trim() !== '') merged[name] = value;
  }
  // A setting with neither a default nor `.optional()` refuses undefined: that is what makes it required.
  const missing = NAMES.filter(
    (name) => merged[name] === undefined && !SETTINGS[name].schema.safeParse(undefined).success,
  );
  const result = settingsSchema.safeParse(merged);
  if (missing.length > 0 || !result.success) {
    const problems = missing.map((name) => `${name} (${SETTINGS[name].env}): is required`);
    if (!result.success) {
      const rest = result.error.issues.filter((issue) => !missing.includes(issue.path[0] as SettingName));
      if (rest.length > 0) problems.push(describeIssues(rest, settingLabel));
    }
    throw invalid(problems.join('; '));
  }
  return assembleConfig(result.data);
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

/** The configuration as safe to print: keys shown by id or not at all, the Gmail credentials masked. */
export function printableConfig(config: FunctionConfig): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      ...config,
      signingKey: { id: config.signingKey.id, privateKey: '[redacted]' },
      agents: config.agents.map((agent) => ({ ...agent, publicKey: '[public key]' })),
      retiredSigningKeys: Object.fromEntries(
        Object.keys(config.retiredSigningKeys).map((id) => [id, '[public key]']),
      ),
    }),
  );
}
