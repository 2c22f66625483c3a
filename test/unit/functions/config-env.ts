// A valid environment for the function's configuration, with a fresh signing key, for the unit tests to vary.
import { generateKeyPair } from '../../../core/signing/index.js';

export function validEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  const pem = generateKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const agentKey = generateKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    BACKUP_BUCKET: 'acme-backups',
    BACKUP_TARGETS: JSON.stringify([
      { id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl: 'https://10.0.0.5:8443' },
      {
        id: 'app',
        database: 'app',
        engine: 'postgres',
        agentUrl: 'https://10.0.0.6:8443',
        compression: { algorithm: 'zstd', level: 9 },
      },
    ]),
    BACKUP_AGENTS: JSON.stringify([
      { url: 'https://10.0.0.5:8443', publicKey: agentKey },
      { url: 'https://10.0.0.6:8443', publicKey: agentKey },
    ]),
    BACKUP_SIGNING_KEY_ID: 'fn-2025',
    BACKUP_SIGNING_KEY: pem,
    ...overrides,
  };
}
