// The function's signed word that an object is a backup it checked: bucket, name, generation, size, CRC32C, MD5 and
// when, signed with its Ed25519 key into the object's own metadata as it checks the backup. Whoever may write
// objects and their metadata can copy these fields or invent them, never sign them; and the agent's job records,
// which proved the object first, are pruned after some weeks, while this proof lasts as long as the object.
// The message opens with a versioned prefix of its own, which no RFC 9421 signature base can (those open with a
// quoted component name), so a request signature is never an attestation, nor an attestation a request signature.
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { SigningKey, TrustedKeys } from '../../core/signing/index.js';
import type { ObjectInfo } from '../storage/objects.js';

const PREFIX = 'db-backup-attestation/v1\n';
/** Custom metadata keys: the signature (base64), when it was made, and the id of the key that made it. */
export const ATTESTATION_KEY = 'attestation';
const ATTESTED_AT_KEY = 'attestedAt';
const ATTESTED_BY_KEY = 'attestedBy';

type Attested = Pick<ObjectInfo, 'name' | 'generation' | 'size' | 'crc32c' | 'md5Hash'>;

/** The bytes signed: every field in a fixed order, as JSON, behind the prefix. */
function message(bucket: string, info: Attested, attestedAt: string): Buffer {
  const { name, generation, size, crc32c, md5Hash } = info;
  return Buffer.from(PREFIX + JSON.stringify([bucket, name, generation, size, crc32c, md5Hash, attestedAt]));
}

/** The metadata that attests `info` as a backup of `bucket`, signed at `now`. */
export function attest(bucket: string, info: Attested, key: SigningKey, now: Date): Record<string, string> {
  const attestedAt = now.toISOString();
  const signature = sign(null, message(bucket, info, attestedAt), key.privateKey);
  return {
    [ATTESTATION_KEY]: signature.toString('base64'),
    [ATTESTED_AT_KEY]: attestedAt,
    [ATTESTED_BY_KEY]: key.id,
  };
}

/** The keys whose attestations are believed: the current signing key's public half, and the retired ones. */
export function attestationKeys(
  current: SigningKey,
  retired: Readonly<Record<string, KeyObject>>,
): TrustedKeys {
  return new Map([...Object.entries(retired), [current.id, createPublicKey(current.privateKey)]]);
}

/** Why `info` is not attested as a backup of `bucket` by one of `keys`; null when it is. */
export function attestationProblem(bucket: string, info: ObjectInfo, keys: TrustedKeys): string | null {
  const signature = info.metadata[ATTESTATION_KEY];
  const attestedAt = info.metadata[ATTESTED_AT_KEY];
  const keyId = info.metadata[ATTESTED_BY_KEY];
  if (!signature || !attestedAt || !keyId) return 'it carries no attestation of the function';
  const key = keys.get(keyId);
  if (!key) return `its attestation names the key ${keyId}, which the function does not trust`;
  let valid = false;
  try {
    valid = verify(null, message(bucket, info, attestedAt), key, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  return valid
    ? null
    : `its attestation was not signed by the key ${keyId} for this object (its name, generation, size and hashes)`;
}
