// Retries one request with exponential backoff and jitter for as long as its window lasts, so a long backup
// survives any number of brief outages while one that does not end still fails in bounded time.
import { setTimeout as sleep } from 'node:timers/promises';
import { BackupError, type ErrorCode } from '../../core/errors.js';

export interface RetryPolicy {
  /** How long one HTTP request may take before it is abandoned and retried. */
  requestTimeoutMs: number;
  /** How long one request keeps being retried after its first failure. */
  retryWindowMs: number;
  /** The first wait; each later one doubles, up to maxDelayMs, each with up to half of it added at random. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/** Declared once: agent.json's `uploads.requestTimeoutSeconds` and `uploads.retryWindowMinutes` default to these. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  requestTimeoutMs: 120_000,
  retryWindowMs: 10 * 60_000,
  initialDelayMs: 1000,
  maxDelayMs: 32_000,
};

/**
 * Runs `attempt` until it resolves. An error `isTransient` rejects is thrown at once, as is any error once
 * `signal` aborts; a transient one is retried until the window since the first failure has passed, and then
 * thrown with `failure` (an upload's by default) naming the last reason.
 */
export async function retrying<T>(
  policy: RetryPolicy,
  signal: AbortSignal,
  attempt: () => Promise<T>,
  isTransient: (error: unknown) => boolean,
  failure: { code: ErrorCode; what: string } = { code: 'UPLOAD_FAILED', what: 'upload' },
): Promise<T> {
  let firstFailure: number | undefined;
  for (let failures = 0; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      if (signal.aborted || !isTransient(error)) throw error;
      firstFailure ??= Date.now();
      if (Date.now() - firstFailure >= policy.retryWindowMs) {
        throw new BackupError(
          failure.code,
          `${failure.what} failed after ${failures + 1} attempts over ${Math.round((Date.now() - firstFailure) / 1000)} s: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** failures);
      await sleep(delay + Math.random() * delay * 0.5, undefined, { signal });
    }
  }
}
