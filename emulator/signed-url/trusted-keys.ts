// The public keys of the service accounts whose V4 signed URLs the emulator honours.
import { createPublicKey, type KeyObject } from 'node:crypto';

/** Reads each trusted key, refusing one that is not an RSA public key with an error naming its account. */
export function trustedKeys(pems: Record<string, string>): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const [email, pem] of Object.entries(pems)) {
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch (error) {
      throw new Error(`signedUrlKeys: the key for ${email} is not a PEM public key or certificate`, {
        cause: error,
      });
    }
    if (key.asymmetricKeyType !== 'rsa') {
      throw new Error(
        `signedUrlKeys: the key for ${email} is ${key.asymmetricKeyType}, not RSA (GOOG4-RSA-SHA256)`,
      );
    }
    keys.set(email, key);
  }
  return keys;
}
