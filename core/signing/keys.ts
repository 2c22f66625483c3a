// Ed25519 keys: the function signs with a private key, the agent trusts public keys by key id; the agent signs its
// answers with a key of its own, named by its thumbprint.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { ConfigError } from '../errors.js';

/** The private key a signer uses, and the id under which verifiers know its public key. */
export interface SigningKey {
  readonly id: string;
  readonly privateKey: KeyObject;
}

/**
 * Public keys by key id. Trusting two ids at once is how keys rotate. A Map rather than a record, so that a
 * key id such as `constructor` cannot find something that is not a key.
 */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

function ed25519(load: () => KeyObject, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = load();
  } catch (cause) {
    throw new ConfigError(`the ${what} is not a valid PEM key`, { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(`the ${what} is a ${key.asymmetricKeyType ?? 'symmetric'} key, not an Ed25519 key`);
  }
  return key;
}

/** An Ed25519 private key from PEM (PKCS #8); ConfigError for anything else. */
export function loadPrivateKey(pem: string): KeyObject {
  return ed25519(() => createPrivateKey(pem), 'signing private key');
}

/** An Ed25519 public key from PEM (SPKI); ConfigError for anything else. */
export function loadPublicKey(pem: string): KeyObject {
  return ed25519(() => createPublicKey(pem), 'trusted public key');
}

/** A fresh Ed25519 pair, e.g. the ephemeral one the local stack signs with. */
export function generateKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

/**
 * The RFC 7638 JWK thumbprint of an Ed25519 key (either half): SHA-256 over its required members in
 * lexicographic order, base64url. The agent's answers carry it as their keyid, so a verifier holding the public
 * key can tell an answer signed by another key. Written out because Node has no JWK thumbprint of its own.
 */
export function keyThumbprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { crv, kty, x } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url');
}
