// What one backup's tools did and why it failed: each tool of the chain followed (its stderr, its exit code), every
// failure weighed by blame.ts, and the tools and the upload stopped as the failure requires.
import { BackupError, type ErrorCode } from '../../core/errors.js';
import { blame, type Failure } from './blame.js';
import { installHint } from './required-tools.js';
import type { RunningTool } from './spawn-tool.js';
import type { StderrTail } from './stderr-tail.js';
import { STAGES, type Stage } from './tool-chain.js';
import { watchTool } from './watch-tool.js';

export class BackupWatch {
  /** By the tool's key: null while it runs, or when a signal killed it. */
  readonly exitCodes: Record<string, number | null> = {};
  /** Aborted by any failure: the upload stops at once. */
  readonly stop = new AbortController();
  /** Aborted by a failure that is no tool's: a failed tool's chain is left to drain, so each tool after it ends. */
  readonly halt = new AbortController();
  #failure: Failure | undefined;
  readonly #stages: Stage[] = [];
  /** Tools the agent stopped because something else failed: their end is a symptom, never the cause. */
  readonly #stopped = new Set<RunningTool>();
  readonly #waits: Promise<unknown>[] = [];

  constructor(private readonly tail: StderrTail) {}

  get failure(): Failure | undefined {
    return this.#failure;
  }

  fail(next: Failure): void {
    const first = this.#failure === undefined;
    this.#failure = blame(this.#failure, next);
    if (this.#failure !== next) return;
    if (first) this.stop.abort();
    if (!next.tool) this.halt.abort();
    // What is upstream of a failed tool would only wait on a pipe nobody reads; for anything else, every tool stops.
    for (const { key, tool } of this.#stages) {
      if (STAGES[key].at >= (next.tool?.at ?? Number.POSITIVE_INFINITY)) continue;
      if (tool.child.exitCode === null && tool.child.signalCode === null) this.#stopped.add(tool);
      tool.kill();
    }
  }

  /** A thrown error as the failure: its own code when it is a BackupError (e.g. OBJECT_EXISTS). */
  failWith(error: unknown, code: ErrorCode, what: string): void {
    if (error instanceof BackupError) this.fail({ code: error.code, message: error.message });
    else this.fail({ code, message: `${what}: ${(error as Error)?.message ?? String(error)}` });
  }

  /** Follows a tool as it starts; false when it could not start, so that nothing upstream of it starts. */
  watch(stage: Stage): boolean {
    this.#stages.push(stage);
    const { at, code } = STAGES[stage.key];
    const started = stage.tool.child.pid !== undefined;
    // Each pv's stderr is read by its own reader (meter, tail), which passes its other lines on to the tail.
    const ownReader = stage.key === 'count' || stage.key === 'mark';
    const record = { tail: ownReader ? undefined : this.tail, exitCodes: this.exitCodes };
    const hint = stage.requires && !started ? ` — ${installHint(stage.requires)}` : '';
    const onFailure = (message: string, brokenPipe: boolean) =>
      this.fail({
        code,
        message: message + hint,
        tool: { at, symptom: brokenPipe || this.#stopped.has(stage.tool) },
      });
    this.#waits.push(watchTool(stage.tool, stage.key, stage.label, record, onFailure));
    // A tool that cannot start reports it a tick later.
    return started;
  }

  /** Every tool followed so far, once it has ended. */
  ended(): Promise<PromiseSettledResult<unknown>[]> {
    return Promise.allSettled(this.#waits);
  }
}
