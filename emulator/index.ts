// Starts the Cloud Storage emulator in this process: the programmatic API for tests and the local stack.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { ActiveUploads } from './active-uploads.js';
import { Catalog } from './catalog.js';
import { Faults } from './faults.js';
import { type LifecycleReport, runLifecycle } from './lifecycle/run-lifecycle.js';
import { CHUNK_QUANTUM } from './routes/sessions.js';
import { createEmulatorServer } from './server.js';
import type { BlobStore } from './store/blob-store.js';
import { DiskStore } from './store/disk-store.js';
import { MemoryStore } from './store/memory-store.js';

export type { FaultHandle, FaultSpec, Faults } from './faults.js';

export interface EmulatorOptions {
  /** Port to listen on; 0 or omitted picks a free one. */
  port?: number;
  host?: string;
  /** Folder keeping objects and sessions across restarts; omitted keeps everything in memory. */
  dataDir?: string;
  /** The emulator's clock; default real time. */
  now?: () => Date;
  /** PEM public keys (or certificates) of the service accounts whose V4 signed URLs are honoured, by e-mail. */
  signedUrlKeys?: Record<string, string>;
}

export interface RunningEmulator {
  /** Base URL to give clients as their API endpoint, e.g. `http://127.0.0.1:4443`. */
  url: string;
  port: number;
  faults: Faults;
  runLifecycle(now?: Date): Promise<LifecycleReport>;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const store = options.dataDir ? await DiskStore.open(resolve(options.dataDir)) : new MemoryStore();
  const catalog = await Catalog.open(store, options.now ?? (() => new Date()));
  await discardOrphans(store, catalog);
  const faults = new Faults();
  const uploads = new ActiveUploads(store, CHUNK_QUANTUM);
  const signedUrlKeys = trustedKeys(options.signedUrlKeys ?? {});
  const server = createEmulatorServer({ catalog, store, faults, uploads, signedUrlKeys });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    faults,
    runLifecycle: (now) => runLifecycle(catalog, store, now ?? catalog.now()),
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
      await catalog.settled();
    },
  };
}

/** Staged bytes without an open session belong to single-request uploads cut off by a stop; none can finish. */
async function discardOrphans(store: BlobStore, catalog: Catalog): Promise<void> {
  for (const id of await store.listStaged()) {
    if (catalog.data.sessions[id]?.state !== 'open') await store.discardStaged(id);
  }
}

/** Reads each trusted key, refusing one that is not an RSA public key with an error naming its account. */
function trustedKeys(pems: Record<string, string>): Map<string, KeyObject> {
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
