// The function's signed word on a statement of its own kept in the bucket — an object's attestation, a database's
// status record — with its Ed25519 key. Whoever may write objects and their metadata can copy such fields or
// invent them, never sign them. Each kind of statement opens with a versioned prefix of its own, which no RFC 9421
// signature base can (those open with a quoted component name): no signature stands for another kind's, nor for a
// request's.
import { sign, verify } from 'node:crypto';
import type { SigningKey, TrustedKeys } from './keys.js';

export interface Seal {
  /** The Ed25519 signature, base64. */
  signature: string;
  /** The id of the key that made it. */
  keyId: string;
}

/** The bytes signed: the statement's fields in a fixed order, as JSON, behind its kind's prefix. */
const message = (prefix: string, fields: readonly unknown[]) => Buffer.from(prefix + JSON.stringify(fields));

export function seal(prefix: string, fields: readonly unknown[], key: SigningKey): Seal {
  return { signature: sign(null, message(prefix, fields), key.privateKey).toString('base64'), keyId: key.id };
}

/** What is wrong with a seal: none at all, a key not trusted, or a signature not over these fields by that key. */
export type SealProblem = 'unsealed' | 'untrusted-key' | 'not-over-fields';

/** Why `seal` is not one of `keys`' over `fields`; null when it is. Each kind of statement words it for itself. */
export function sealProblem(
  prefix: string,
  fields: readonly unknown[],
  seal: Partial<Seal>,
  keys: TrustedKeys,
): SealProblem | null {
  if (!seal.signature || !seal.keyId) return 'unsealed';
  const key = keys.get(seal.keyId);
  if (!key) return 'untrusted-key';
  try {
    if (verify(null, message(prefix, fields), key, Buffer.from(seal.signature, 'base64'))) return null;
  } catch {
    // A signature that is not one at all is as wrong as one over other fields.
  }
  return 'not-over-fields';
}
