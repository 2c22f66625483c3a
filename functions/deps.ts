// The clients a handler receives: storage, fetch, logger, mailer, clock — real ones by default, local ones in tests.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Storage } from '@google-cloud/storage';
import { createGmailMailer } from './alerts/gmail-mailer.js';
import type { Mailer } from './alerts/mailer.js';
import type { FunctionConfig } from './config/schema.js';
import { createCloudLogger, type Logger } from './logging/logger.js';

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export interface FunctionDeps {
  storage: Storage;
  fetch: typeof fetch;
  logger: Logger;
  /** Null when no delivery is configured: alerts are then only logged. */
  mailer: Mailer | null;
  clock: Clock;
  newRunId?: () => string;
}

export const systemClock: Clock = { now: () => new Date(), sleep: (ms) => sleep(ms) };

/** Cloud Run's defaults: Application Default Credentials, stdout logging, Gmail when configured. */
export function createDefaultDeps(config: FunctionConfig): FunctionDeps {
  return {
    // STORAGE_EMULATOR_HOST, when set, points the client at an emulator (the local stack).
    storage: new Storage(config.project ? { projectId: config.project } : {}),
    fetch: globalThis.fetch,
    logger: createCloudLogger(config.project ? { project: config.project } : {}),
    mailer: config.alerts.gmail ? createGmailMailer({ gmail: config.alerts.gmail }) : null,
    clock: systemClock,
  };
}

export function runIdOf(deps: FunctionDeps): string {
  return deps.newRunId?.() ?? randomUUID();
}
