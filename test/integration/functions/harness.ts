// The functions under functions-framework on random ports, wired to a storage backend, the Gmail stub and
// real agents; their log lines captured as parsed JSON.
import { PassThrough } from 'node:stream';
import { Storage } from '@google-cloud/storage';
import { type ParsedMail, simpleParser } from 'mailparser';
import { generateKeyPair, type SigningKey } from '../../../core/signing/index.js';
import type { RunningEmulator } from '../../../emulator/index.js';
import { agentClientFor } from '../../../functions/agent/agent-client.js';
import { createGmailMailer } from '../../../functions/alerts/gmail-mailer.js';
import { parseFunctionConfig } from '../../../functions/config/parse.js';
import type { FunctionConfig } from '../../../functions/config/schema.js';
import type { DoctorReport } from '../../../functions/doctor/report.js';
import {
  createBackupHandler,
  createBinlogsHandler,
  createDoctorHandler,
  createListHandler,
  createRestoreHandler,
  createRetentionHandler,
  createStatusHandler,
  createVerifyHandler,
} from '../../../functions/http/handlers.js';
import type { ListReport } from '../../../functions/list/run-list.js';
import { createCloudLogger } from '../../../functions/logging/logger.js';
import type { RetentionReport } from '../../../functions/retention/run-retention.js';
import { type Clock, systemClock } from '../../../functions/run/clock.js';
import type { RunReport } from '../../../functions/run/report.js';
import type { StatusReport } from '../../../functions/status/run-status.js';
import { serveFunctions } from '../../../local/serve-functions.js';
import type { LocalSigner } from '../../../local/signer.js';
import { answerKeyOf } from '../../helpers/agent.js';
import type { GmailStub } from '../../helpers/gmail-stub.js';

export const OAUTH = {
  clientId: 'client-1',
  clientSecret: 'client-secret-1',
  refreshToken: 'refresh-token-1',
};
export const ADMIN = 'admin@example.com';
export const SENDER = 'backups@example.com';

export interface FunctionTarget {
  id: string;
  database: string;
  engine: string;
  agentUrl: string;
  compression?: { algorithm: 'gzip' | 'zstd'; level?: number };
  encryption?: 'required' | 'off';
  pointInTime?: boolean;
}

export interface HarnessOptions {
  /** The storage backend: our emulator or fake-gcs-server (test/helpers/storage-backends.ts). */
  emulator: Pick<RunningEmulator, 'url'>;
  gmail: GmailStub;
  bucket: string;
  key: SigningKey;
  targets: FunctionTarget[];
  /** Other variables, e.g. BACKUP_PREFIX or BACKUP_ON_ERROR. */
  env?: Record<string, string>;
  /** Other file fields, e.g. pollBudgetSeconds. */
  file?: Record<string, unknown>;
  /** The function's clock; the system's by default. */
  clock?: Clock;
  /** BACKUP_AGENTS fields by agent url, over the helper's (the test agent's answer key). */
  agents?: Record<string, { publicKey?: string; tlsCaCert?: string; tlsCertSha256?: string }>;
  /** The function's own signing identity for restore URLs (the emulator must trust it). */
  signer?: LocalSigner;
  /** Where the function reaches storage (a proxy in front of the emulator); the emulator itself by default. */
  storageUrl?: string;
}

/** Request headers of a call, e.g. Cloud Scheduler's X-CloudScheduler-JobName. */
export type Headers = Record<string, string>;

export interface FunctionHarness {
  config: FunctionConfig;
  storage: Storage;
  logs: Record<string, unknown>[];
  /** The two targets' base URLs, for requests the helpers below do not make. */
  urls: { backup: string; verify: string; restore: string; list: string; status: string; doctor: string };
  backup(query?: Record<string, string>, headers?: Headers): Promise<{ status: number; report: RunReport }>;
  verify(query?: Record<string, string>, headers?: Headers): Promise<{ status: number; report: RunReport }>;
  retention(query?: Record<string, string>): Promise<{ status: number; report: RetentionReport }>;
  restore(query?: Record<string, string>, headers?: Headers): Promise<{ status: number; report: RunReport }>;
  list(query?: Record<string, string>): Promise<{ status: number; report: ListReport }>;
  status(query?: Record<string, string>): Promise<{ status: number; report: StatusReport }>;
  doctor(): Promise<{ status: number; report: DoctorReport }>;
  /** The shipping run of pointInTime databases' closed binary logs. */
  binlogs(query?: Record<string, string>): Promise<{ status: number; report: RunReport }>;
  close(): Promise<void>;
}

let instances = 0;

export async function createBucket(emulatorUrl: string, bucket: string): Promise<void> {
  const response = await fetch(`${emulatorUrl}/storage/v1/b?project=test-project`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: bucket, versioning: { enabled: true } }),
  });
  if (response.status !== 200) throw new Error(`bucket: ${response.status} ${await response.text()}`);
}

export async function startFunction(options: HarnessOptions): Promise<FunctionHarness> {
  // Each agent's entry holds the key its answers are signed with: a test agent's own, or, for an address no
  // test agent serves, a key nobody holds.
  const agentUrls = [...new Set(options.targets.map((target) => target.agentUrl))];
  const agents = agentUrls.map((url) => ({
    url,
    publicKey:
      answerKeyOf(url) ?? generateKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ...options.agents?.[url],
  }));
  const env = {
    BACKUP_BUCKET: options.bucket,
    BACKUP_TARGETS: JSON.stringify(options.targets),
    BACKUP_AGENTS: JSON.stringify(agents),
    BACKUP_SIGNING_KEY_ID: options.key.id,
    BACKUP_SIGNING_KEY: options.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ALERT_RECIPIENTS: ADMIN,
    ALERT_SENDER: SENDER,
    GMAIL_AUTH: 'oauth',
    GMAIL_CREDENTIALS: JSON.stringify({
      client_id: OAUTH.clientId,
      client_secret: OAUTH.clientSecret,
      refresh_token: OAUTH.refreshToken,
      token_uri: options.gmail.tokenUrl,
    }),
    GOOGLE_CLOUD_PROJECT: 'acme-test',
    // Midnight in UTC: `verify` then checks today's backups, whatever the hour the tests run at.
    BACKUP_SCHEDULE: '0 0 * * *',
    ...options.env,
  };
  const config = parseFunctionConfig(env, {
    pollIntervalSeconds: 0.05,
    agentTimeoutSeconds: 5,
    ...options.file,
  });
  const stream = new PassThrough();
  const logs: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
  });
  const storage = new Storage({
    apiEndpoint: options.storageUrl ?? options.emulator.url,
    projectId: 'test-project',
    ...(options.signer && { credentials: options.signer.credentials }),
  });
  const gmail = config.alerts.gmail;
  if (!gmail) throw new Error('the harness configures Gmail');
  const clock = options.clock ?? systemClock;
  const deps = {
    storage,
    // Signed with the real clock whatever the run's: the agent checks signatures against its own.
    agent: agentClientFor(config, { fetch: globalThis.fetch, clock: systemClock }),
    logger: createCloudLogger({ stream, project: 'acme-test' }),
    mailer: createGmailMailer({ gmail, rootUrl: options.gmail.rootUrl }),
    clock,
  };
  // Names of their own: functions-framework keeps one registry per process, and a test may start several.
  const id = ++instances;
  const functions = await serveFunctions(
    {
      [`backup-${id}`]: createBackupHandler(config, deps),
      [`verify-${id}`]: createVerifyHandler(config, deps),
      [`retention-${id}`]: createRetentionHandler(config, deps),
      [`restore-${id}`]: createRestoreHandler(config, deps),
      [`list-${id}`]: createListHandler(config, deps),
      [`status-${id}`]: createStatusHandler(config, deps),
      [`doctor-${id}`]: createDoctorHandler(config, deps),
      [`binlogs-${id}`]: createBinlogsHandler(config, deps),
    },
    deps.logger,
  );
  const url = (name: string) => functions.urls[`${name}-${id}`] as string;
  const call = async <R = RunReport>(name: string, query: Record<string, string>, headers: Headers) => {
    const response = await fetch(`${url(name)}?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });
    return { status: response.status, report: (await response.json()) as R };
  };
  return {
    config,
    storage,
    logs,
    urls: {
      backup: url('backup'),
      verify: url('verify'),
      restore: url('restore'),
      list: url('list'),
      status: url('status'),
      doctor: url('doctor'),
    },
    backup: (query = {}, headers = {}) => call('backup', query, headers),
    verify: (query = {}, headers = {}) => call('verify', query, headers),
    retention: (query = {}) => call<RetentionReport>('retention', query, {}),
    restore: (query = {}, headers = {}) => call('restore', query, headers),
    list: (query = {}) => call<ListReport>('list', query, {}),
    status: (query = {}) => call<StatusReport>('status', query, {}),
    doctor: () => call<DoctorReport>('doctor', {}, {}),
    binlogs: (query = {}) => call('binlogs', query, {}),
    close: () => functions.close(),
  };
}

/** The messages the Gmail stub received from index `from` on, parsed as a mail client would. */
export async function deliveredSince(gmail: GmailStub, from: number): Promise<ParsedMail[]> {
  return Promise.all(gmail.messages.slice(from).map((message) => simpleParser(message.mime)));
}

export function outcomes(report: RunReport): Record<string, string> {
  return Object.fromEntries(report.targets.map((target) => [target.targetId, target.outcome]));
}
