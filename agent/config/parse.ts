// agent.json → a typed, checked config: errors name the bad field; keys are loaded and password files vetted.
import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import { describeIssues } from '../../core/protocol.js';
import { loadPublicKey, type SigningKey, type TrustedKeys } from '../../core/signing/index.js';
import type { RequiredToolPaths } from '../pipeline/required-tools.js';
import type { ConfigFiles } from './files.js';
import { checkIdentityFile, readPasswordFile, readResponseKey } from './password-file.js';
import { type AgentConfigFile, agentConfigSchema } from './schema.js';

export interface AgentConfig extends Omit<AgentConfigFile, 'trustedKeys'> {
  trustedKeys: TrustedKeys;
  /** Signs every answer; read from responseKeyFile. */
  responseKey: SigningKey;
}

function loadKey(keyId: string, value: string, files: ConfigFiles): KeyObject {
  const what = `trustedKeys.${keyId}`;
  let pem = value;
  if (!value.trimStart().startsWith('-----BEGIN')) {
    if (!value.startsWith('/'))
      throw new ConfigError(`${what}: must be a PEM public key or an absolute path to one`);
    try {
      pem = files.readFile(value);
    } catch (cause) {
      throw new ConfigError(`${what}: cannot read ${value}: ${(cause as Error).message}`, { cause });
    }
  }
  try {
    return loadPublicKey(pem);
  } catch (cause) {
    throw new ConfigError(`${what}: ${(cause as Error).message}`, { cause });
  }
}

/** Parses agent.json's text (or its already-parsed JSON value); throws ConfigError naming what is wrong. */
export function parseAgentConfig(json: string | unknown, files: ConfigFiles): AgentConfig {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (cause) {
      throw new ConfigError(`agent config is not valid JSON: ${(cause as Error).message}`, { cause });
    }
  }
  const parsed = agentConfigSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(`agent config: ${describeIssues(parsed.error)}`);
  const config = parsed.data;
  config.targets.forEach((target, index) => {
    // Checked now so a bad password file stops the agent at start, not the first backup at night.
    if (target.passwordFile) readPasswordFile(target.passwordFile, files, `targets.${index}.passwordFile`);
    const restore =
      target.restore && 'passwordFile' in target.restore ? target.restore.passwordFile : undefined;
    if (restore) readPasswordFile(restore, files, `targets.${index}.restore.passwordFile`);
  });
  for (const field of ['certFile', 'keyFile'] as const) {
    const path = config.tls?.[field];
    if (path === undefined) continue;
    try {
      files.readFile(path);
    } catch (cause) {
      throw new ConfigError(`tls.${field}: cannot read ${path}: ${(cause as Error).message}`, { cause });
    }
  }
  // Checked now so a missing or open identity stops the agent at start; the key itself is age's to read.
  config.identityFiles.forEach((file, index) => {
    checkIdentityFile(file, files, `identityFiles.${index}`);
  });
  const trustedKeys = new Map(
    Object.entries(config.trustedKeys).map(([keyId, pemOrPath]) => [keyId, loadKey(keyId, pemOrPath, files)]),
  );
  return {
    ...config,
    trustedKeys,
    responseKey: readResponseKey(config.responseKeyFile, files, 'responseKeyFile'),
  };
}

/** The tools this config needs checked at start: age only where a backup is encrypted or a restore decrypted. */
export function requiredToolPaths(config: AgentConfig): RequiredToolPaths {
  const { pvPath, pigzPath, zstdPath, agePath } = config;
  const usesAge =
    config.encryption === 'required' ||
    config.recipients.length > 0 ||
    config.identityFiles.length > 0 ||
    config.targets.some((target) => target.recipients !== undefined);
  return { pvPath, pigzPath, zstdPath, ...(usesAge && { agePath }) };
}

/** The config as JSON safe to print: keys shown by id only, any secret-looking value masked. */
export function printableConfig(config: AgentConfig): string {
  return JSON.stringify(
    { ...config, trustedKeys: [...config.trustedKeys.keys()], responseKey: config.responseKey.id },
    (key, item) => (typeof item === 'string' && /password(?!File)|secret|token/i.test(key) ? '***' : item),
    2,
  );
}
