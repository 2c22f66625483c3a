// What a fast test of a run needs: the in-memory storage emulator on the run's clock, a clock that sleeps by moving
// itself, captured log lines, a mailer that keeps what it is given, and a configuration of three targets on one agent.
import { PassThrough } from 'node:stream';
import { Storage } from '@google-cloud/storage';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import type { AgentClient } from '../../../functions/agent/agent-client.js';
import type { Mailer } from '../../../functions/alerts/mailer.js';
import type { MailMessage } from '../../../functions/alerts/mime.js';
import { parseFunctionConfig } from '../../../functions/config/parse.js';
import type { FunctionConfig } from '../../../functions/config/schema.js';
import { createCloudLogger } from '../../../functions/logging/logger.js';
import { attest } from '../../../functions/object/attestation.js';
import type { Clock } from '../../../functions/run/clock.js';
import type { FunctionDeps } from '../../../functions/run/deps.js';
import { getObject } from '../../../functions/storage/objects.js';
import { updateObject } from '../../../functions/storage/update-object.js';
import { createLocalSigner } from '../../../local/signer.js';
import { validEnv } from './config-env.js';

export const BUCKET = 'fast-backups';
const AGENT_URL = 'https://10.0.0.5:8443';

export interface RunFixture {
  emulator: RunningEmulator;
  storage: Storage;
  config: FunctionConfig;
  deps: FunctionDeps;
  clock: Clock & { advance(ms: number): void };
  logs: Record<string, unknown>[];
  mails: MailMessage[];
  events(): string[];
  close(): Promise<void>;
}

/** A clock that starts now and moves only when the code under test sleeps (or the test advances it). */
function manualClock(start = new Date()): RunFixture['clock'] {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    sleep: async (ms) => {
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** The function's own signing identity: restore URLs are signed with it, and the emulator trusts it. */
const signer = createLocalSigner();

export async function startRunFixture(
  agent: AgentClient,
  env: Record<string, string> = {},
  file: Record<string, unknown> = {},
  /** When the clock starts; now by default. */
  start?: Date,
): Promise<RunFixture> {
  const clock = manualClock(start);
  // The emulator stamps objects with the run's time, so what the run proves by creation time holds in any year.
  const emulator = await startEmulator({ now: () => clock.now(), signedUrlKeys: signer.trusted });
  const storage = new Storage({
    apiEndpoint: emulator.url,
    projectId: 'test-project',
    credentials: signer.credentials,
  });
  await storage.createBucket(BUCKET, { versioning: { enabled: true } });
  const targets = ['a', 'b', 'c'].map((id) => ({
    id,
    database: id,
    engine: 'postgres',
    agentUrl: AGENT_URL,
  }));
  const config = parseFunctionConfig(
    validEnv({
      BACKUP_BUCKET: BUCKET,
      BACKUP_TARGETS: JSON.stringify(targets),
      ALERT_RECIPIENTS: 'admin@example.com',
      ALERT_SENDER: 'backups@example.com',
      ...env,
    }),
    { pollIntervalSeconds: 5, pollBudgetSeconds: 60, ...file },
  );
  const stream = new PassThrough();
  const logs: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
  });
  const mails: MailMessage[] = [];
  const mailer: Mailer = { send: async (message) => void mails.push(message) };
  const deps: FunctionDeps = {
    storage,
    agent,
    logger: createCloudLogger({ stream, now: () => clock.now() }),
    mailer,
    clock,
  };
  return {
    emulator,
    storage,
    config,
    deps,
    clock,
    logs,
    mails,
    events: () => logs.map((line) => String(line.event)),
    close: () => emulator.close(),
  };
}

/** A create-only session for `name`, as another run of the function would open it (its run id in the metadata). */
export async function sessionFor(
  fixture: RunFixture,
  name: string,
  runId: string,
  targetId: string,
): Promise<string> {
  const [uri] = await fixture.storage
    .bucket(BUCKET)
    .file(name)
    .createResumableUpload({
      metadata: { metadata: { runId, targetId } },
      preconditionOpts: { ifGenerationMatch: 0 },
    });
  return uri;
}

/** Signs the function's attestation into `name`, as a run does once it checked the backup: it is then proven ours. */
export async function attestObject(fixture: RunFixture, name: string): Promise<void> {
  const bucket = fixture.storage.bucket(BUCKET);
  const info = await getObject(bucket, name);
  if (!info) throw new Error(`no object ${name} to attest`);
  const { config, clock } = fixture;
  await updateObject(bucket, info, { metadata: attest(config.bucket, info, config.signingKey, clock.now()) });
}
