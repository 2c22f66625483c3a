// The time a run reads and waits on: the system's in production, a test's own clock in tests.
import { setTimeout as sleep } from 'node:timers/promises';

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date(), sleep: (ms) => sleep(ms) };
