// The clients a handler receives: storage, agents, logger, mailer, clock — real ones by default, local ones
// in tests.
import { Storage } from '@google-cloud/storage';
import { type AgentClient, agentClientFor } from '../agent/agent-client.js';
import { createGmailMailer } from '../alerts/gmail-mailer.js';
import type { Mailer } from '../alerts/mailer.js';
import type { FunctionConfig } from '../config/schema.js';
import { createCloudLogger, type Logger } from '../logging/logger.js';
import { type Clock, systemClock } from './clock.js';

/** One job's progress while a run waits for it, for a caller that asked to watch (the admin's command line). */
export interface ProgressEvent {
  kind: 'backup' | 'restore';
  targetId: string;
  jobId: string;
  state: string;
  /** A restore's step: restoring, validating, dropping. */
  step?: string;
  bytesRead?: number;
  bytesUploaded?: number;
  bytesDownloaded?: number;
  bytesRestored?: number;
  /** A restore's object size: how far `bytesDownloaded` has to go. */
  objectBytes?: number;
  /** Since the run started. */
  elapsedMs: number;
}

export interface FunctionDeps {
  storage: Storage;
  /** Signed calls to the agents. */
  agent: AgentClient;
  logger: Logger;
  /** Null when no delivery is configured: alerts are then only logged. */
  mailer: Mailer | null;
  clock: Clock;
  /** Hears each job's progress while a run waits, when the caller asked to watch; absent otherwise. */
  progress?: (event: ProgressEvent) => void;
}

/** Cloud Run's defaults: Application Default Credentials, stdout logging, Gmail when configured. */
export function createDefaultDeps(config: FunctionConfig): FunctionDeps {
  return {
    // STORAGE_EMULATOR_HOST, when set, points the client at an emulator (the local stack).
    storage: new Storage(config.project ? { projectId: config.project } : {}),
    agent: agentClientFor(config, { fetch: globalThis.fetch, clock: systemClock }),
    logger: createCloudLogger(config.project ? { project: config.project } : {}),
    mailer: config.alerts.gmail ? createGmailMailer({ gmail: config.alerts.gmail }) : null,
    clock: systemClock,
  };
}
