// Ctrl-C (SIGINT) while a command works: the first one says what becomes of the run, stops what this process
// started (`cleanup`), and ends the process with `code`; a second one ends it at once. Used by db-backup and by
// `npm start`, which both may hold the local stack in their own process.
import process from 'node:process';

export interface InterruptOptions {
  /** Writes a line for the admin (stderr). */
  say(text: string): void;
  /** What happens to the run, said as soon as Ctrl-C is pressed. */
  message: string;
  /** Stops what this process started: the local stack, whose agent cancels what it runs. */
  cleanup?: () => Promise<void>;
  code: number;
}

export interface Interrupt {
  /** Aborted at Ctrl-C: a call in flight stops waiting. */
  signal: AbortSignal;
  dispose(): void;
}

export function handleInterrupt(options: InterruptOptions): Interrupt {
  const controller = new AbortController();
  const second = () => {
    options.say('Ctrl-C again: stopped at once, without waiting for the clean-up.');
    process.exit(options.code);
  };
  const first = () => {
    process.once('SIGINT', second);
    controller.abort();
    options.say(options.message);
    const cleanup = options.cleanup?.() ?? Promise.resolve();
    cleanup.then(
      () => process.exit(options.code),
      (error: Error) => {
        options.say(`the clean-up failed: ${error.message}`);
        process.exit(options.code);
      },
    );
  };
  process.once('SIGINT', first);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', first);
      process.off('SIGINT', second);
    },
  };
}
