// Starts the Cloud Storage emulator in this process: the programmatic API for tests and the local stack.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { CHUNK_QUANTUM } from '../core/upload-session.js';
import { ActiveUploads } from './active-uploads.js';
import { Catalog } from './catalog.js';
import { Faults } from './faults.js';
import { type FolderLock, lockFolder } from './folder-lock.js';
import { type LifecycleReport, runLifecycle } from './lifecycle/run-lifecycle.js';
import { createEmulatorServer } from './server.js';
import { trustedKeys } from './signed-url/trusted-keys.js';
import type { BlobStore } from './store/blob-store.js';
import { DiskStore } from './store/disk-store.js';
import { MemoryStore } from './store/memory-store.js';

export type { Faults } from './faults.js';
export { FolderBusyError } from './folder-lock.js';
export type { LifecycleReport } from './lifecycle/run-lifecycle.js';

/**
 * How to start the emulator. Everything is optional: `startEmulator()` serves an in-memory store on a free
 * port of 127.0.0.1, in real time, honouring no signed URLs.
 */
export interface EmulatorOptions {
  /** Port to listen on; 0 or omitted picks a free one. Reuse `port` to restart on the same URL. */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * Folder keeping buckets, objects and open resumable sessions across restarts (a restarted emulator resumes
   * a session where it stopped); omitted keeps everything in memory, lost on close. One emulator at a time: the
   * folder is locked (`emulator.lock`, naming the process and its URL) until close, and a second emulator on it
   * fails with FolderBusyError, which names the holder; a lock whose process died is taken over.
   */
  dataDir?: string;
  /**
   * The emulator's clock (default real time). It stamps timeCreated, updated and noncurrent times, decides
   * whether a retention period has passed and whether a signed URL has expired, and is the default time of
   * `runLifecycle`. Move it freely, also backwards: generations stay strictly increasing.
   *
   * @example Play out days: `let now = new Date('2030-01-01T02:00:00Z'); startEmulator({ now: () => now });`
   * then `now = new Date(now.getTime() + 86_400_000)` between nights.
   */
  now?: () => Date;
  /**
   * Public keys of the service accounts whose V4 signed URLs (GOOG4-RSA-SHA256) are honoured, by the account's
   * e-mail: `{ [client_email]: '-----BEGIN PUBLIC KEY-----…' }` (a certificate works too). A URL signed by any
   * other account is refused with 403. Sign with `new Storage({ apiEndpoint: emulator.url, credentials:
   * { client_email, private_key } }).bucket(b).file(f).getSignedUrl({ version: 'v4', action: 'read', expires })`:
   * the URL points at the emulator, and GET (with Range) and HEAD on it are served.
   */
  signedUrlKeys?: Record<string, string>;
}

/** A started emulator. Its JSON API is the one `@google-cloud/storage` and `gcloud storage` use. */
export interface RunningEmulator {
  /**
   * Base URL to give clients as their API endpoint, e.g. `http://127.0.0.1:4443`: `new Storage({ apiEndpoint:
   * url })`, or `${url}/storage/v1/` as gcloud's `api_endpoint_overrides/storage`.
   */
  url: string;
  port: number;
  /**
   * Fault injection: `faults.add(spec)` makes chosen requests fail (`status`), break off (`dropAfterBytes`),
   * wait (`delayMs`), hang without an answer (`stall`), or be served and lose their answer (`dropResponse`,
   * e.g. a final chunk that finalizes the object); see {@link FaultSpec}. `faults.clear()` removes them all.
   * Other processes use `POST /_emulator/faults` with the same fields as JSON (`match` as a regex source).
   */
  faults: Faults;
  /**
   * Runs every bucket's lifecycle rules once, as of `now` (default: the emulator's clock), and returns what it
   * did: `changes` (objects `deleted` for good, made `noncurrent` in a versioned bucket, or moved to a colder
   * `storageClass`) and `retained` (objects a Delete rule matched that the retention policy still protects).
   * Lifecycle never runs by itself. Over HTTP: `POST /_emulator/lifecycle` with `{ "now": "<RFC 3339>" }`.
   * Rules are read from the bucket resource (`lifecycle.rule[]`), set with the client's `createBucket`,
   * `setMetadata({ lifecycle })` or `addLifecycleRule`; a bucket's `retentionPolicy.retentionPeriod` (seconds)
   * blocks deleting or replacing younger objects with 403 retentionPolicyNotMet.
   */
  runLifecycle(now?: Date): Promise<LifecycleReport>;
  /** Stops listening, ends open connections (stalled ones too) and waits for the catalog to be saved. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  let lock: FolderLock | undefined;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    lock = await lockFolder(dataDir, 'emulator.lock');
  }
  try {
    const running = await serve(options, dataDir);
    await lock?.update({ url: running.url });
    return {
      ...running,
      async close() {
        await running.close();
        await lock?.release();
      },
    };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

async function serve(options: EmulatorOptions, dataDir: string | undefined): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const store = dataDir ? await DiskStore.open(dataDir) : new MemoryStore();
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
