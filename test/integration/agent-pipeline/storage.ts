// The storage side of the pipeline tests: an emulator with a bucket, sessions opened as the function opens them
// (create-only), and what a test needs to look at afterwards: the object, or the session's state.

import { gunzipSync } from 'node:zlib';
import { Storage } from '@google-cloud/storage';
import type { JobRequest } from '../../../core/protocol.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';

export const BUCKET = 'pipeline-backups';

export interface TestStorage {
  emulator: RunningEmulator;
  storage: Storage;
  /** A create-only session for `objectName`, as a job request asking for `compression`. */
  request(objectName: string, compression?: JobRequest['compression']): Promise<JobRequest>;
  download(objectName: string): Promise<Buffer>;
  exists(objectName: string): Promise<boolean>;
  /** The status a session answers with now: 308 open, 200 done, 499 cancelled. */
  sessionStatus(uri: string): Promise<number>;
  close(): Promise<void>;
}

export async function startStorage(): Promise<TestStorage> {
  const emulator = await startEmulator();
  const storage = new Storage({ apiEndpoint: emulator.url, projectId: 'test-project' });
  await storage.createBucket(BUCKET);
  const bucket = storage.bucket(BUCKET);
  let runs = 0;
  return {
    emulator,
    storage,
    async request(objectName, compression = { algorithm: 'gzip' }) {
      const [uploadUri] = await bucket
        .file(objectName)
        .createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
      runs += 1;
      return { runId: `run-${runs}`, targetId: 'target', objectName, uploadUri, compression };
    },
    download: async (objectName) => (await bucket.file(objectName).download())[0],
    exists: async (objectName) => (await bucket.file(objectName).exists())[0],
    async sessionStatus(uri) {
      const response = await fetch(uri, { method: 'PUT', headers: { 'Content-Range': 'bytes */*' } });
      await response.arrayBuffer();
      return response.status;
    },
    close: () => emulator.close(),
  };
}

export function gunzipText(data: Buffer): string {
  return gunzipSync(data).toString('utf8');
}
