// A target's password file: refused unless only its owner may read it, and read without its final newline.
import { ConfigError } from '../../core/errors.js';
import { MIN_REDACTED_LENGTH } from '../log/redact.js';
import type { ConfigFiles } from './files.js';

/** Reads the password in `path`; `what` names the setting in errors (never the password). */
export function readPasswordFile(path: string, files: ConfigFiles, what: string): string {
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
  const password = text.replace(/\r?\n$/, '');
  // Shorter passwords could not be masked in logs without masking ordinary words too.
  if (password.length < MIN_REDACTED_LENGTH) {
    throw new ConfigError(`${what}: ${path} holds a password shorter than ${MIN_REDACTED_LENGTH} characters`);
  }
  return password;
}
