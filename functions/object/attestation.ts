// The function's signed word that an object is a backup it checked: bucket, name, generation, size, CRC32C, MD5 and
// when, signed into the object's own metadata as it checks the backup. The agent's job records, which proved the
// object first, are pruned after some weeks, while this proof lasts as long as the object.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { SigningKey, TrustedKeys } from '../../core/signing/index.js';
import { seal, sealProblem } from '../../core/signing/statement.js';
import type { ObjectInfo } from '../storage/objects.js';

const PREFIX = 'db-backup-attestation/v1\n';
/** Custom metadata keys: the signature (base64), when it was made, and the id of the key that made it. */
export const ATTESTATION_KEY = 'attestation';
const ATTESTED_AT_KEY = 'attestedAt';
const ATTESTED_BY_KEY = 'attestedBy';

type Attested = Pick<ObjectInfo, 'name' | 'generation' | 'size' | 'crc32c' | 'md5Hash'>;

/** What is signed: every field in a fixed order. */
function fields(bucket: string, info: Attested, attestedAt: string): unknown[] {
  const { name, generation, size, crc32c, md5Hash } = info;
  return [bucket, name, generation, size, crc32c, md5Hash, attestedAt];
}

/** The metadata that attests `info` as a backup of `bucket`, signed at `now`. */
export function attest(bucket: string, info: Attested, key: SigningKey, now: Date): Record<string, string> {
  const attestedAt = now.toISOString();
  const { signature, keyId } = seal(PREFIX, fields(bucket, info, attestedAt), key);
  return { [ATTESTATION_KEY]: signature, [ATTESTED_AT_KEY]: attestedAt, [ATTESTED_BY_KEY]: keyId };
}

/** The keys whose signatures are believed: the current signing key's public half, and the retired ones. */
export function attestationKeys(
  current: SigningKey,
  retired: Readonly<Record<string, KeyObject>>,
): TrustedKeys {
  return new Map([...Object.entries(retired), [current.id, createPublicKey(current.privateKey)]]);
}

/** Why `info` is not attested as a backup of `bucket` by one of `keys`; null when it is. */
export function attestationProblem(bucket: string, info: ObjectInfo, keys: TrustedKeys): string | null {
  const {
    [ATTESTATION_KEY]: signature,
    [ATTESTED_AT_KEY]: attestedAt,
    [ATTESTED_BY_KEY]: keyId,
  } = info.metadata;
  const problem = sealProblem(PREFIX, fields(bucket, info, attestedAt ?? ''), { signature, keyId }, keys);
  if (problem === null) return null;
  if (problem === 'unsealed' || !attestedAt) return 'it carries no attestation of the function';
  if (problem === 'untrusted-key')
    return `its attestation names the key ${keyId}, which the function does not trust`;
  return `its attestation was not signed by the key ${keyId} for this object (its name, generation, size and hashes)`;
}
