// The agent assembled from its config: log, job stores, backup and restore runners, signature check and HTTP server. main.ts,
// the local stack and the tests all start it through here.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { packageVersion } from '../core/package-version.js';
import { restoreStatusSchema } from '../core/restore-protocol.js';
import { createClosedLogs } from './binlog/closed-logs.js';
import { createBinlogReadiness } from './binlog/readiness.js';
import { createShipLog } from './binlog/ship-log.js';
import { type ConfigFiles, nodeConfigFiles } from './config/files.js';
import { type AgentConfig, requiredToolPaths } from './config/parse.js';
import { openedRecipients } from './encryption/identities.js';
import { createDumpResolver, createRestoreResolver } from './engines/credentials.js';
import { createAuthenticator } from './http/authenticate.js';
import { capConnections } from './http/connection-caps.js';
import { openFileNonceStore } from './http/file-nonce-store.js';
import { createRequestHandler } from './http/handler.js';
import { createRefusalCount } from './http/refusal-count.js';
import { createAnswerSigner, signedAnswers } from './http/sign-answer.js';
import { createJobRunner } from './jobs/job-runner.js';
import { createJobStore, createStateStore } from './jobs/job-store.js';
import { type AgentLog, createAgentLog } from './log/agent-log.js';
import { createRedactor } from './log/redact.js';
import { createSyslogSender } from './log/syslog.js';
import { createBackupPipeline } from './pipeline/backup-pipeline.js';
import { createCanary } from './pipeline/canary.js';
import { createSessionCanceller } from './pipeline/cancel-session.js';
import { checkRequiredTools } from './pipeline/required-tools.js';
import { DEFAULT_RETRY_POLICY } from './pipeline/retrying.js';
import { checkStorageRoute } from './pipeline/storage-route.js';
import { createRestoreRunner } from './restore/restore-runner.js';

export interface AgentDeps {
  /** Where syslog lines go (with their priority prefixes); stdout, the journal under systemd, by default. */
  syslogStream?: Writable;
  /** How often refusals of unauthenticated callers are summarised; a minute by default. */
  refusalWindowMs?: number;
  files?: ConfigFiles;
  now?: () => Date;
  /** Where a failing log folder or syslog is reported; stderr by default. */
  reportFailure?: (message: string) => void;
}

export interface Agent {
  /** Starts serving; both default to config `listen`. Resolves with the bound address. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Stops serving, interrupts running jobs (their upload sessions cancelled) and waits for their state on disk. */
  close(): Promise<void>;
  readonly log: AgentLog;
}

/** Throws a ConfigError before anything starts when a tool every backup needs is missing. */
export async function createAgent(config: AgentConfig, deps: AgentDeps = {}): Promise<Agent> {
  checkRequiredTools(requiredToolPaths(config));
  const now = deps.now ?? (() => new Date());
  const files = deps.files ?? nodeConfigFiles;
  const report = deps.reportFailure ?? ((message: string) => process.stderr.write(`${message}\n`));
  const redactor = createRedactor();
  let syslogFailed = false;
  const log = createAgentLog({
    dir: config.logDir,
    redact: redactor.redact,
    now,
    reportFailure: report,
    syslog: config.syslog
      ? createSyslogSender(deps.syslogStream, (error) => {
          // Once per process: a closed stdout must not flood stderr, nor ever fail a job.
          if (!syslogFailed) report(`db-backup-agent: syslog forwarding failed: ${error.message}`);
          syslogFailed = true;
        })
      : undefined,
  });

  const retry = {
    ...DEFAULT_RETRY_POLICY,
    requestTimeoutMs: config.uploads.requestTimeoutSeconds * 1000,
    retryWindowMs: config.uploads.retryWindowMinutes * 60_000,
  };
  const cancelSession = createSessionCanceller(log);
  const streamSettings = {
    zstdPath: config.zstdPath,
    pigzPath: config.pigzPath,
    pvPath: config.pvPath,
    chunkSize: config.chunkSize,
    retry,
    agePath: config.agePath,
    redact: redactor.redact,
  };
  const resolveDump = createDumpResolver(files, redactor);
  const pipeline = createBackupPipeline(streamSettings, config, resolveDump, cancelSession);
  const runner = createJobRunner({
    store: await createJobStore(config.stateDir),
    targets: config.targets,
    pipeline,
    cancelSession,
    log,
    redact: redactor.redact,
    retentionDays: config.jobRetentionDays,
    now,
    newJobId: randomUUID,
  });
  await runner.recover();
  const restores = createRestoreRunner({
    store: await createStateStore(join(config.stateDir, 'restores'), restoreStatusSchema),
    targets: config.targets,
    storage: config.uploads,
    resolve: createRestoreResolver(files, redactor),
    settings: {
      zstdPath: config.zstdPath,
      decrypt: { agePath: config.agePath, identityFiles: config.identityFiles },
      retry,
    },
    log,
    redact: redactor.redact,
    now,
    newJobId: randomUUID,
    retentionDays: config.jobRetentionDays,
  });
  await restores.recover();

  const readiness = createBinlogReadiness(config.targets, resolveDump, redactor.redact);
  const refusals = createRefusalCount({ log, now, windowMs: deps.refusalWindowMs });
  const handler = createRequestHandler({
    runner,
    restores,
    storage: config.uploads,
    binlog: readiness,
    closedLogs: createClosedLogs({
      targets: config.targets,
      resolve: resolveDump,
      readiness,
      redact: redactor.redact,
      now,
    }),
    shipLog: createShipLog({
      targets: config.targets,
      resolve: resolveDump,
      readiness,
      encryption: config,
      settings: streamSettings,
      cancelSession,
      log,
    }),
    version: packageVersion(),
    now,
    canary: createCanary(streamSettings, cancelSession, log),
    checkRoute: () => checkStorageRoute(config.uploads),
    identities: await openedRecipients(config.identityFiles),
    maxBodyBytes: config.maxBodyBytes,
    log,
    refusals,
    authenticate: createAuthenticator({
      trustedKeys: config.trustedKeys,
      // On disk, so a request captured before a restart cannot be replayed after it.
      nonceStore: openFileNonceStore(config.stateDir, now()),
      verifyOptions: {
        maxAgeSeconds: config.signature.maxAgeSeconds,
        maxFutureSkewSeconds: config.signature.maxClockSkewSeconds,
      },
      publicUrl: config.publicUrl,
      now,
    }),
  });
  // Node's own limit on the request line and headers (16 KiB) answers 431 past it, before the handler runs;
  // the handler answers 414 to a request target over MAX_TARGET_LENGTH below that.
  // Every answer is signed with the agent's own key and bound to the request it answers.
  const answers = {
    ServerResponse: signedAnswers(createAnswerSigner(config.responseKey, config.publicUrl, now)),
  };
  const server: Server = config.tls
    ? createHttpsServer(
        { ...answers, cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
        handler,
      )
    : createHttpServer(answers, handler);
  // A slow or silent client must not hold a connection (and a job request's parse) open for long.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  capConnections(
    server,
    { total: config.maxConnections, perAddress: config.maxConnectionsPerAddress },
    refusals.add,
  );

  return {
    log,
    listen(port = config.listen.port, host = config.listen.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          const url = `${config.tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
          log.info('agent.started', `listening on ${url}`, { targets: config.targets.map((t) => t.id) });
          resolve({ url, port: address.port });
        });
      });
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.all([runner.close(), restores.close()]);
      server.closeAllConnections();
      await closed;
      refusals.close();
      log.info('agent.stopped', 'stopped');
    },
  };
}
