// Who a target's backups are encrypted for: age X25519 recipients, the target's own or the agent's, and the refusal
// when encryption is required and cannot be done — never a plain upload in its place.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BackupError } from '../../core/errors.js';

/** An age X25519 recipient: `age1` and 58 characters of bech32 (age's own spelling, lower case). */
export const recipientSchema = z
  .string()
  .regex(/^age1[02-9ac-hj-np-z]{58}$/, 'must be an age X25519 recipient (age1…, as age-keygen -y prints it)');

export const ENCRYPTION_MODES = ['required', 'off'] as const;
export type EncryptionMode = (typeof ENCRYPTION_MODES)[number];

/** What agent.json says of encryption: the policy, and the recipients of targets that list none of their own. */
export interface EncryptionPolicy {
  encryption: EncryptionMode;
  recipients: readonly string[];
}

/**
 * A recipient named without the key itself, for the object's metadata and the job's record: the first 16 hex digits
 * of its SHA-256. Short enough to read, long enough that an admin's two keys never share one.
 */
export function fingerprint(recipient: string): string {
  return `age-sha256:${createHash('sha256').update(recipient).digest('hex').slice(0, 16)}`;
}

/**
 * The recipients a backup is encrypted for, or none for a plain one. `requested` is the function's word (its
 * target's `encryption`); the agent's own recipients and policy must agree with it: a backup the function names
 * `.age` is never uploaded in clear, nor one the agent was told to encrypt sent under a plain name.
 */
export function recipientsFor(
  target: { id: string; recipients?: readonly string[] | undefined },
  policy: EncryptionPolicy,
  requested: boolean,
): readonly string[] {
  const recipients = target.recipients ?? policy.recipients;
  const refuse = (why: string): never => {
    throw new BackupError('ENCRYPTION_REQUIRED', `${target.id}: ${why}; nothing was uploaded`);
  };
  if (requested && recipients.length === 0) {
    return refuse(
      'the function requires encryption but agent.json lists no recipients for this target: add "recipients" (age1…) to the target or to agent.json',
    );
  }
  if (!requested && policy.encryption === 'required') {
    return refuse(
      'agent.json requires encryption but the function asked for a plain backup: set the target\'s "encryption" to "required" in the function\'s targets',
    );
  }
  if (!requested && recipients.length > 0) {
    return refuse(
      'agent.json lists recipients for this target but the function asked for a plain backup: set the target\'s "encryption" to "required" in the function\'s targets, or remove the recipients to opt out',
    );
  }
  return requested ? recipients : [];
}
