// The Cloud Storage JSON APIs the integration tests run against: our emulator, and fake-gcs-server (an
// implementation nobody here wrote), each on a random loopback port, with what a test needs of either.
import { spawn } from 'node:child_process';
import { describe } from 'vitest';
import { type Faults, startEmulator } from '../../emulator/index.js';
import { provisionedPath, unavailable } from './provisioned.js';
import { freePort } from './stand-in-tools.js';

export const STORAGE_BACKENDS = ['emulator', 'fake-gcs-server'] as const;
export type StorageBackendName = (typeof STORAGE_BACKENDS)[number];

/**
 * Cloud Storage behaviours fake-gcs-server 1.56.1 does not have, each checked against Google's documentation and
 * its storage testbench (googleapis/storage-testbench, testbench/rest_server.py); our emulator has them all.
 */
export const FAKE_GCS_DEVIATIONS = {
  statusQuery:
    'a status query (PUT, empty body, Content-Range: bytes */*) finalizes the upload as it stands instead of answering 308 with the persisted Range, so the official client, asking a session for its offset (before resending after a failed request), finalizes a partial object',
  cancel: 'a cancelled session (DELETE, answered 499) stays open: a later chunk still finalizes the object',
  resentBytes: 'bytes sent again after a lost response are appended instead of skipped',
  finalHash: 'the X-Goog-Hash of the finalizing request is not checked',
} as const;
export type StorageBehaviour = keyof typeof FAKE_GCS_DEVIATIONS;

/** Why `backend` cannot run tests relying on `needs`, or undefined when it has them all. */
export function lacks(backend: StorageBackendName, needs: StorageBehaviour[]): string | undefined {
  if (backend !== 'fake-gcs-server') return undefined;
  const missing = needs.map((need) => FAKE_GCS_DEVIATIONS[need]);
  return missing.length ? `fake-gcs-server deviates from Cloud Storage: ${missing.join('; ')}` : undefined;
}

export interface StorageBackend {
  name: StorageBackendName;
  /** The API endpoint to give clients, e.g. `http://127.0.0.1:4443`. */
  url: string;
  /** Our emulator's fault injection; fake-gcs-server has none, so tests that need it run on the emulator only. */
  faults?: Faults;
  /** Creates a bucket, versioned as the product's bucket is. */
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Why `name` cannot run here (fake-gcs-server not provisioned), or undefined. */
function backendUnavailable(name: StorageBackendName): string | undefined {
  return name === 'fake-gcs-server' ? unavailable('fake-gcs-server') : undefined;
}

async function createBucket(url: string, name: string): Promise<void> {
  const response = await fetch(`${url}/storage/v1/b?project=test-project`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, versioning: { enabled: true } }),
  });
  if (response.status !== 200) throw new Error(`bucket ${name}: ${response.status} ${await response.text()}`);
}

async function startFakeGcsServer(): Promise<StorageBackend> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  // In memory, plain HTTP on loopback; external-url is what resumable sessions' Location headers point at.
  const server = spawn(
    provisionedPath('fake-gcs-server', 'fake-gcs-server'),
    ['-backend', 'memory', '-scheme', 'http', '-host', '127.0.0.1', '-port', String(port)].concat([
      '-external-url',
      url,
      '-public-host',
      `127.0.0.1:${port}`,
      '-log-level',
      'warn',
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [server.stdout, server.stderr])
    stream.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answered = await fetch(`${url}/storage/v1/b`).then(
      (r) => r.ok,
      () => false,
    );
    if (answered) break;
    if (server.exitCode !== null || Date.now() > deadline) {
      server.kill('SIGKILL');
      throw new Error(`fake-gcs-server did not start on ${url}: ${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name: 'fake-gcs-server',
    url,
    createBucket: (name) => createBucket(url, name),
    async close() {
      server.kill('SIGTERM');
      await exited;
    },
  };
}

export async function startStorageBackend(name: StorageBackendName): Promise<StorageBackend> {
  if (name === 'fake-gcs-server') return startFakeGcsServer();
  const emulator = await startEmulator({ port: 0 });
  return {
    name,
    url: emulator.url,
    faults: emulator.faults,
    createBucket: (bucket) => createBucket(emulator.url, bucket),
    close: () => emulator.close(),
  };
}

/**
 * A `describe` per backend, handing it the backend's name: the same tests against both. fake-gcs-server's is
 * skipped, its reason printed and in the title, only where provisioning could not provide it.
 */
export function describeEachBackend(body: (name: StorageBackendName) => void): void {
  for (const name of STORAGE_BACKENDS) {
    const reason = backendUnavailable(name);
    if (reason) describe.skip(`storage: ${name} (cannot run: ${reason})`, () => body(name));
    else describe(`storage: ${name}`, () => body(name));
  }
}
