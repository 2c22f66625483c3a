// The function's signed word that an object is one it checked: bucket, name, generation, size, CRC32C, MD5, when,
// and every binary-log fact in its metadata (a backup's start position, a shipped log's facts), signed into the
// object's own metadata as it checks the object. The agent's job records, which proved the object first, are pruned
// after some weeks, while this proof lasts as long as the object.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { SigningKey, TrustedKeys } from '../../core/signing/index.js';
import { type SealProblem, seal, sealProblem } from '../../core/signing/statement.js';
import type { ObjectInfo } from '../storage/objects.js';

/** Signs the object and its binary-log facts. */
const PREFIX = 'db-backup-attestation/v2\n';
/** Signed before binary-log facts were: it still proves the object, never a fact. */
const PREFIX_V1 = 'db-backup-attestation/v1\n';
/** Custom metadata keys: the signature (base64), when it was made, and the id of the key that made it. */
export const ATTESTATION_KEY = 'attestation';
const ATTESTED_AT_KEY = 'attestedAt';
const ATTESTED_BY_KEY = 'attestedBy';
/** Every metadata key that states a binary-log fact begins so, and is signed. */
const FACT_KEY = /^binlog/;

type Attested = Pick<ObjectInfo, 'name' | 'generation' | 'size' | 'crc32c' | 'md5Hash' | 'metadata'>;
type Metadata = Readonly<Record<string, string | null>>;

/**
 * The binary-log facts of `metadata`, as `[key, value]` pairs in key order: the order is part of what is signed. An
 * empty value states nothing, and a store may leave one where a write removed a key: it is not a fact.
 */
function facts(metadata: Metadata): [string, string][] {
  return Object.entries(metadata)
    .filter((entry): entry is [string, string] => FACT_KEY.test(entry[0]) && Boolean(entry[1]))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What is signed: every field in a fixed order, then the facts. */
function fields(bucket: string, info: Attested, attestedAt: string, signed: [string, string][]): unknown[] {
  const { name, generation, size, crc32c, md5Hash } = info;
  return [bucket, name, generation, size, crc32c, md5Hash, attestedAt, ...signed];
}

/**
 * The metadata that attests `info` as an object of `bucket`, signed at `now`, written together with `written`: the
 * binary-log facts the object holds once that write is made (its own, changed or removed by `written`) are signed.
 */
export function attest(
  bucket: string,
  info: Attested,
  key: SigningKey,
  now: Date,
  written: Metadata = {},
): Record<string, string> {
  const attestedAt = now.toISOString();
  const signed = facts({ ...info.metadata, ...written });
  const { signature, keyId } = seal(PREFIX, fields(bucket, info, attestedAt, signed), key);
  return { [ATTESTATION_KEY]: signature, [ATTESTED_AT_KEY]: attestedAt, [ATTESTED_BY_KEY]: keyId };
}

/** The keys whose signatures are believed: the current signing key's public half, and the retired ones. */
export function attestationKeys(
  current: SigningKey,
  retired: Readonly<Record<string, KeyObject>>,
): TrustedKeys {
  return new Map([...Object.entries(retired), [current.id, createPublicKey(current.privateKey)]]);
}

/** How `info`'s attestation holds: over the object and every binary-log fact it carries, or over the object alone. */
function sealOf(bucket: string, info: Attested, keys: TrustedKeys): 'facts' | 'object' | SealProblem {
  const {
    [ATTESTATION_KEY]: signature,
    [ATTESTED_AT_KEY]: attestedAt,
    [ATTESTED_BY_KEY]: keyId,
  } = info.metadata;
  if (!attestedAt) return 'unsealed';
  const seal = { signature, keyId };
  const problem = sealProblem(PREFIX, fields(bucket, info, attestedAt, facts(info.metadata)), seal, keys);
  if (problem === null) return 'facts';
  if (problem !== 'not-over-fields') return problem;
  return sealProblem(PREFIX_V1, fields(bucket, info, attestedAt, []), seal, keys) ?? 'object';
}

/** Why `info` is not attested as an object of `bucket` by one of `keys`; null when it is. */
export function attestationProblem(bucket: string, info: Attested, keys: TrustedKeys): string | null {
  const found = sealOf(bucket, info, keys);
  if (found === 'facts' || found === 'object') return null;
  if (found === 'unsealed') return 'it carries no attestation of the function';
  const keyId = info.metadata[ATTESTED_BY_KEY];
  if (found === 'untrusted-key')
    return `its attestation names the key ${keyId}, which the function does not trust`;
  return `its attestation was not signed by the key ${keyId} for this object (its name, generation, size, hashes and binary-log facts)`;
}

/**
 * Whether `info`'s binary-log facts are the function's signed word: its attestation holds over every `binlog*` key
 * it carries. An attestation made before facts were signed proves the object, and none of them.
 */
export function factsAttested(bucket: string, info: Attested, keys: TrustedKeys): boolean {
  return sealOf(bucket, info, keys) === 'facts';
}
