// A real agent on a random loopback port for tests, with its own temp state and log folders and a fresh
// signing key: signed requests, job polling, the log's lines, and upload sessions opened on the emulator.

import { createPublicKey } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { nodeConfigFiles } from '../../agent/config/files.js';
import { type AgentConfig, parseAgentConfig } from '../../agent/config/parse.js';
import type { AgentConfigInput } from '../../agent/config/schema.js';
import { type Agent, createAgent } from '../../agent/create-agent.js';
import {
  AGENT_PATHS,
  FINAL_JOB_STATES,
  type JobRequest,
  type JobStatus,
  type RunRequest,
  runAcceptedSchema,
} from '../../core/protocol.js';
import { generateKeyPair, type SigningKey, sign } from '../../core/signing/index.js';
import { freePort } from '../../local/free-port.js';

const TEST_KEY_ID = 'test-key';

/** A fresh Ed25519 signing key and the agent.json `trustedKeys` entry that trusts it. */
export function testSigningKey(id = TEST_KEY_ID): { key: SigningKey; trusted: Record<string, string> } {
  const { privateKey, publicKey } = generateKeyPair();
  return {
    key: { id, privateKey },
    trusted: { [id]: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  };
}

export interface AgentResponse {
  status: number;
  /** Header names lower-case. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  json: unknown;
}

export interface SignedRequestOptions {
  method?: string;
  body?: string;
  key: SigningKey;
  /** The signing clock; the real one by default. */
  now?: Date;
  expiresInSeconds?: number;
  /** Changes the signed request before it is sent (headers, body, method or path), to test rejections. */
  tamper?: (request: { method: string; url: string; headers: Record<string, string>; body: string }) => void;
  /** The URL the signature names when the agent is called at another address than its publicUrl. */
  signedFor?: string;
  /** How the request is sent; the global fetch by default (another, e.g., to call from another local address). */
  fetch?: typeof fetch;
}

async function toAgentResponse(response: Response): Promise<AgentResponse> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), text, json };
}

/** Signs a request as the function does (content-type always set, bodiless requests too) and sends it. */
export async function signedRequest(url: string, options: SignedRequestOptions): Promise<AgentResponse> {
  const method = options.method ?? 'GET';
  const body = options.body ?? '';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signed = { method, url: options.signedFor ?? url, headers, body };
  const signature = sign(signed, options.key, options.now ?? new Date(), {
    expiresInSeconds: options.expiresInSeconds,
  });
  const request = { method, url, headers: { ...headers, ...signature }, body };
  options.tamper?.(request);
  const response = await (options.fetch ?? fetch)(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body,
  });
  return toAgentResponse(response);
}

/** Each test agent's answer-signing public key (PEM) by its publicUrl: what BACKUP_AGENTS says of it. */
const answerKeys = new Map<string, string>();

/** The public key that signs the answers of the test agent whose publicUrl is `url`, if one was started. */
export function answerKeyOf(url: string): string | undefined {
  return answerKeys.get(url);
}

/** Records the answer key of an agent served otherwise (an impersonator holding its own key). */
export function registerAnswerKey(url: string, publicKeyPem: string): void {
  answerKeys.set(url, publicKeyPem);
}

/** Writes a fresh answer-signing key into `dir` unless one is there (a restart keeps its key); its path. */
async function answerKeyFile(dir: string): Promise<string> {
  const path = join(dir, 'response-key.pem');
  const pem = generateKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await writeFile(path, pem, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return path;
}

/** A run of one job, as the function sends for a single target. */
export function oneJobRun(request: JobRequest): RunRequest {
  const { runId, ...spec } = request;
  return { runId, concurrency: 1, onError: 'stop', jobs: [spec] };
}

export interface TestAgentOptions {
  targets: AgentConfigInput['targets'];
  /** The storage the agent may upload to; by default an address nothing listens on, for tests that never upload. */
  uploads?: AgentConfigInput['uploads'];
  /** Any other agent.json fields; listen, stateDir, logDir and trustedKeys are the helper's unless given. */
  config?: Partial<AgentConfigInput>;
  /** Reuse a previous agent's folder (state and logs), as a restart would. */
  dir?: string;
  signingKey?: { key: SigningKey; trusted: Record<string, string> };
  /** Where syslog lines go when config.syslog is on; the test process's stdout otherwise. */
  syslogStream?: Writable;
  /**
   * How often refusals of unauthenticated requests are summarised in the log; 50 ms by default, so a test
   * finds its refusal's line at once (waitForLog) instead of after the minute a deployed agent waits.
   */
  refusalWindowMs?: number;
  /** The agent's clock; the system's by default (a clock set wrong, for doctor's check of it). */
  now?: () => Date;
}

export interface TestAgent {
  url: string;
  port: number;
  /** Holds `state/` and `log/`. */
  dir: string;
  stateDir: string;
  logDir: string;
  config: AgentConfig;
  key: SigningKey;
  /** The public key (PEM) that signs this agent's answers. */
  answerKey: string;
  agent: Agent;
  /** A signed request to `path` on this agent. */
  request(
    path: string,
    options?: Omit<SignedRequestOptions, 'key'> & { key?: SigningKey },
  ): Promise<AgentResponse>;
  postRun(run: RunRequest): Promise<AgentResponse>;
  /** Submits a one-job run and answers its job id; throws unless the agent accepted it. */
  submit(request: JobRequest): Promise<string>;
  getJob(jobId: string): Promise<JobStatus>;
  /** Polls the job until it is final. */
  waitForJob(jobId: string, timeoutMs?: number): Promise<JobStatus>;
  /** Every line of every file in the log folder (rotated ones too), as text. */
  logLines(): Promise<string[]>;
  /**
   * The first log entry, parsed, from line `from` on (0: the first) that `match` accepts, waiting up to
   * 10 s for it to be written.
   */
  waitForLog(
    match: (entry: Record<string, unknown>) => boolean,
    from?: number,
  ): Promise<Record<string, unknown>>;
  /** Stops the agent (running jobs interrupted), keeping its folder. */
  close(): Promise<void>;
  /** Stops the agent and deletes its folder. */
  remove(): Promise<void>;
}

export async function startTestAgent(options: TestAgentOptions): Promise<TestAgent> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'agent-')));
  const stateDir = join(dir, 'state');
  const logDir = join(dir, 'log');
  const signing = options.signingKey ?? testSigningKey();
  // publicUrl names the port, so the port is chosen before the agent listens.
  const listenPort = options.config?.listen?.port ?? (await freePort());
  const scheme = options.config?.tls ? 'https' : 'http';
  const config = parseAgentConfig(
    {
      listen: { host: '127.0.0.1', port: listenPort },
      publicUrl: `${scheme}://127.0.0.1:${listenPort}`,
      stateDir,
      logDir,
      syslog: false,
      trustedKeys: signing.trusted,
      targets: options.targets,
      uploads: options.uploads ?? { origin: 'http://127.0.0.1:9', buckets: ['test-bucket'] },
      responseKeyFile: await answerKeyFile(dir),
      ...options.config,
    },
    nodeConfigFiles,
  );
  const answerKey = createPublicKey(config.responseKey.privateKey)
    .export({ type: 'spki', format: 'pem' })
    .toString();
  registerAnswerKey(config.publicUrl, answerKey);
  const agent = await createAgent(config, {
    syslogStream: options.syslogStream,
    refusalWindowMs: options.refusalWindowMs ?? 50,
    ...(options.now && { now: options.now }),
  });
  const { url, port } = await agent.listen();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await agent.close();
  };

  const self: TestAgent = {
    url,
    port,
    dir,
    stateDir,
    logDir,
    config,
    key: signing.key,
    answerKey,
    agent,
    request: (path, requestOptions = {}) =>
      signedRequest(`${url}${path}`, {
        signedFor: `${config.publicUrl}${path}`,
        ...requestOptions,
        key: requestOptions.key ?? signing.key,
      }),
    postRun: (run) => self.request(AGENT_PATHS.runs, { method: 'POST', body: JSON.stringify(run) }),
    async submit(request) {
      const response = await self.postRun(oneJobRun(request));
      if (response.status !== 202) throw new Error(`POST run: ${response.status} ${response.text}`);
      return runAcceptedSchema.parse(response.json).jobs[0]?.jobId as string;
    },
    async getJob(jobId) {
      const response = await self.request(AGENT_PATHS.job(jobId));
      if (response.status !== 200) throw new Error(`GET job ${jobId}: ${response.status} ${response.text}`);
      return response.json as JobStatus;
    },
    async waitForJob(jobId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await self.getJob(jobId);
        if (FINAL_JOB_STATES.includes(status.state)) return status;
        if (Date.now() > deadline)
          throw new Error(`job ${jobId} still ${status.state} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    logLines: () => readLogLines(logDir),
    async waitForLog(match, from = 0) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const lines = (await readLogLines(logDir)).slice(from);
        const found = lines.map((line) => JSON.parse(line)).find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error('no matching log line after 10 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close,
    async remove() {
      await close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** The lines of every log file in `logDir`, gzip-rotated ones included. */
/** Matches a refusal summary that counted `code`. */
export function refusalSummary(code: string): (entry: Record<string, unknown>) => boolean {
  return (entry) =>
    entry.event === 'request.unauthenticated' &&
    Array.isArray(entry.errorCodes) &&
    entry.errorCodes.some((counted) => String(counted).startsWith(`${code}:`));
}

export async function readLogLines(logDir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const name of (await readdir(logDir).catch(() => [])).sort()) {
    const bytes = await readFile(join(logDir, name));
    const text = name.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    lines.push(...text.split('\n').filter((line) => line !== ''));
  }
  return lines;
}

/** Opens a create-only resumable upload session on the storage emulator (creating the bucket if needed). */
export async function openUploadSession(
  emulatorUrl: string,
  bucket: string,
  objectName: string,
): Promise<string> {
  const created = await fetch(`${emulatorUrl}/storage/v1/b`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: bucket }),
  });
  if (created.status !== 200 && created.status !== 409) throw new Error(`bucket: ${created.status}`);
  const query = new URLSearchParams({ uploadType: 'resumable', name: objectName, ifGenerationMatch: '0' });
  const response = await fetch(`${emulatorUrl}/upload/storage/v1/b/${bucket}/o?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const location = response.headers.get('location');
  if (response.status !== 200 || !location)
    throw new Error(`session: ${response.status} ${await response.text()}`);
  return location;
}

/** The object's bytes from the emulator, or undefined when there is no such object. */
export async function downloadObject(
  emulatorUrl: string,
  bucket: string,
  name: string,
): Promise<Buffer | undefined> {
  const response = await fetch(
    `${emulatorUrl}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?alt=media`,
  );
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`download ${name}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
