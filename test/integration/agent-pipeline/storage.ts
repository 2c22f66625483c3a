// The storage side of the pipeline tests: a storage backend (our emulator or fake-gcs-server) with a bucket,
// sessions opened as the function opens them (create-only), and what a test looks at afterwards: the object, or
// the session's state.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Storage } from '@google-cloud/storage';
import type { z } from 'zod';
import type { EncryptionPolicy } from '../../../agent/encryption/recipients.js';
import { dumpCommandFor, targetConfigSchema } from '../../../agent/engines/index.js';
import { binlogSettingsCommand } from '../../../agent/engines/mysql.js';
import { type AgentLog, createAgentLog } from '../../../agent/log/agent-log.js';
import { createRedactor } from '../../../agent/log/redact.js';
import { createBackupPipeline } from '../../../agent/pipeline/backup-pipeline.js';
import { createSessionCanceller } from '../../../agent/pipeline/cancel-session.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../agent/pipeline/retrying.js';
import type { BackupProgress, StreamedBackup } from '../../../agent/pipeline/stream-backup.js';
import type { JobRequest } from '../../../core/protocol.js';
import {
  lacks,
  type StorageBackend,
  type StorageBackendName,
  startStorageBackend,
} from '../../helpers/storage-backends.js';

const BUCKET = 'pipeline-backups';

export interface TestStorage {
  backend: StorageBackend;
  storage: Storage;
  /** A create-only session for `objectName`, as a job request asking for `compression`. */
  request(objectName: string, compression?: JobRequest['compression']): Promise<JobRequest>;
  download(objectName: string): Promise<Buffer>;
  exists(objectName: string): Promise<boolean>;
  /** The status a session answers a status query with now: 308 open, 200 done, 499 cancelled. */
  sessionStatus(uri: string): Promise<number>;
  /**
   * Whether a cancelled session can be seen as cancelled: not on fake-gcs-server, which keeps it open and would
   * finalize it on the status query itself (FAKE_GCS_DEVIATIONS).
   */
  cancelObservable: boolean;
  close(): Promise<void>;
}

export async function startStorage(backendName: StorageBackendName = 'emulator'): Promise<TestStorage> {
  const backend = await startStorageBackend(backendName);
  const storage = new Storage({ apiEndpoint: backend.url, projectId: 'test-project' });
  await backend.createBucket(BUCKET);
  const bucket = storage.bucket(BUCKET);
  let runs = 0;
  return {
    backend,
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
    cancelObservable: lacks(backendName, ['statusQuery', 'cancel']) === undefined,
    close: () => backend.close(),
  };
}

export interface PipelineInput {
  request: JobRequest;
  /** As in agent.json: defaults are filled in by the agent's own schema. */
  target: z.input<typeof targetConfigSchema>;
  password?: string;
  chunkSize?: number;
  zstdPath?: string;
  pigzPath?: string;
  pvPath?: string;
  /** agent.json's encryption and recipients; none, off, by default. */
  encryption?: EncryptionPolicy;
  retry?: Partial<RetryPolicy>;
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
  /** Where the agent logs, e.g. a session that does not confirm its cancel; a folder of the test's own by default. */
  log?: AgentLog;
}

let testLog: AgentLog | undefined;

/** Retries in tens of milliseconds, so a test of a storage outage ends quickly. */
const TEST_RETRY: RetryPolicy = {
  ...DEFAULT_RETRY_POLICY,
  initialDelayMs: 20,
  maxDelayMs: 200,
  retryWindowMs: 10_000,
};

/** One backup through the agent's own pipeline, with the password given instead of read from a file. */
export function backup(input: PipelineInput): Promise<StreamedBackup> {
  const redact = createRedactor(input.password === undefined ? [] : [input.password]).redact;
  testLog ??= createAgentLog({ dir: mkdtempSync(join(tmpdir(), 'pipeline-log-')), redact });
  const pipeline = createBackupPipeline(
    {
      zstdPath: input.zstdPath ?? 'zstd',
      pigzPath: input.pigzPath ?? 'pigz',
      pvPath: input.pvPath ?? 'pv',
      agePath: 'age',
      chunkSize: input.chunkSize ?? 8 * 1024 * 1024,
      retry: { ...TEST_RETRY, ...input.retry },
      redact,
    },
    input.encryption ?? { encryption: 'off', recipients: [] },
    {
      dump: (target, options) => dumpCommandFor(target, input.password, options),
      binlogSettings: (target) => binlogSettingsCommand(target, { password: input.password }),
    },
    createSessionCanceller(input.log ?? testLog),
  );
  return pipeline(targetConfigSchema.parse(input.target), input.request, {
    signal: input.signal ?? new AbortController().signal,
    onProgress: input.onProgress ?? (() => {}),
  });
}

export function gunzipText(data: Buffer): string {
  return gunzipSync(data).toString('utf8');
}
