// The age tool as command data: encrypting for recipients on a backup, decrypting with the agent's identity files on
// a restore, and what age's complaint on a failed decryption means.
import type { ErrorCode } from '../../core/errors.js';
import type { DumpCommand } from '../engines/engine.js';

/** age with `flag value` for each value: it needs no environment, and no secret passes through the agent. */
function ageCommand(agePath: string, mode: string, flag: string, values: readonly string[]): DumpCommand {
  return {
    file: agePath,
    args: [mode, ...values.flatMap((value) => [flag, value])],
    env: {},
    secretFiles: [],
  };
}

/** Recipients are public keys: on argv they reveal nothing. age writes its binary format to a pipe without -a. */
export function encryptCommand(agePath: string, recipients: readonly string[]): DumpCommand {
  return ageCommand(agePath, '-e', '-r', recipients);
}

/** Only the identity files' paths reach argv; age reads the keys itself, and tries each against the header. */
export function decryptCommand(agePath: string, identityFiles: readonly string[]): DumpCommand {
  return ageCommand(agePath, '-d', '-i', identityFiles);
}

/**
 * The code of a failed decryption, from age's own words (age 1.1): no identity of ours among the recipients; an end
 * where age still expected its header or its final chunk; anything else — a header MAC or a chunk that fails
 * authentication, a header that does not parse — is bytes changed after encryption. A cut inside a chunk fails
 * authentication as a changed byte does; age cannot tell those apart, and neither can anything else.
 */
export function decryptFailureCode(stderr: string): ErrorCode {
  if (stderr.includes('no identity matched')) return 'DECRYPT_WRONG_IDENTITY';
  if (/unexpected EOF|: EOF\b/.test(stderr)) return 'DECRYPT_TRUNCATED';
  return 'DECRYPT_TAMPERED';
}
