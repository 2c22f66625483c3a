// The local function's own "service account": an RSA key it signs restore URLs with, as Cloud Run signs them
// through IAM signBlob; the local emulator trusts its public key, as Cloud Storage trusts the account's.
import { generateKeyPairSync } from 'node:crypto';

export interface LocalSigner {
  /** For `new Storage({ credentials })`: the client signs V4 URLs with it locally, asking nobody for a token. */
  credentials: { client_email: string; private_key: string };
  /** For `startEmulator({ signedUrlKeys })`. */
  trusted: Record<string, string>;
}

export function createLocalSigner(
  email = 'db-backup-function@local-project.iam.gserviceaccount.com',
): LocalSigner {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { credentials: { client_email: email, private_key: privateKey }, trusted: { [email]: publicKey } };
}
