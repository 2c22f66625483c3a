// Secret files: refused unless only their owner may read them. A target's password is read without its final
// newline; the agent's answer-signing key is an Ed25519 private key.
import { ConfigError } from '../../core/errors.js';
import { keyThumbprint, loadPrivateKey, type SigningKey } from '../../core/signing/index.js';
import { MIN_REDACTED_LENGTH } from '../log/redact.js';
import type { ConfigFiles } from './files.js';

/** The text of `path`, a file only its owner may read; `what` names the setting in errors (never the text). */
function readOwnerOnlyFile(path: string, files: ConfigFiles, what: string): string {
  let mode: number;
  let text: string;
  try {
    mode = files.mode(path);
    text = files.readFile(path);
  } catch (cause) {
    throw new ConfigError(`${what}: cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(
      `${what}: ${path} is readable by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); ` +
        `chmod 600 it`,
    );
  }
  return text;
}

/** Reads the password in `path`. */
export function readPasswordFile(path: string, files: ConfigFiles, what: string): string {
  const password = readOwnerOnlyFile(path, files, what).replace(/\r?\n$/, '');
  // Shorter passwords could not be masked in logs without masking ordinary words too.
  if (password.length < MIN_REDACTED_LENGTH) {
    throw new ConfigError(`${what}: ${path} holds a password shorter than ${MIN_REDACTED_LENGTH} characters`);
  }
  return password;
}

/**
 * Checks an age identity file (age-keygen's output), only its owner may read, without keeping it: age reads it itself
 * at each restore. A recipient (`age1…`) put there by mistake is refused now, rather than at the first drill.
 */
export function checkIdentityFile(path: string, files: ConfigFiles, what: string): void {
  if (!/^AGE-SECRET-KEY-1[0-9A-Z]+$/m.test(readOwnerOnlyFile(path, files, what))) {
    throw new ConfigError(
      `${what}: ${path} holds no age identity (AGE-SECRET-KEY-1…, as age-keygen writes it)`,
    );
  }
}

/** The agent's answer-signing key in `path` (PEM, PKCS #8), under its thumbprint as key id. */
export function readResponseKey(path: string, files: ConfigFiles, what: string): SigningKey {
  const pem = readOwnerOnlyFile(path, files, what);
  try {
    const privateKey = loadPrivateKey(pem);
    return { id: keyThumbprint(privateKey), privateKey };
  } catch (cause) {
    throw new ConfigError(`${what}: ${path}: ${(cause as Error).message}`, { cause });
  }
}
