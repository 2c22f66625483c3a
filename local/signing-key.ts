// The local function's Ed25519 signing key, kept in the data folder as Secret Manager keeps the deployed one: the
// backups it attested stay proven, and restorable, when the stack starts again on the same folder.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateKeyPair, loadPrivateKey } from '../core/signing/index.js';

export async function localSigningKey(
  path: string,
): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const fresh = generateKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Written only when there is none: a key already there is this folder's, and is kept.
  await writeFile(path, fresh, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const privateKey = loadPrivateKey(await readFile(path, 'utf8'));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
