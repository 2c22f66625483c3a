// What every step of a watchdog run shares beyond any run's.
import type { RunContext } from '../run/run-context.js';

export interface VerifyContext extends RunContext {
  /** Read every byte of each proven object (the deep check). */
  deep: boolean;
}
