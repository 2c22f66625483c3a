// Watching a run as it goes: a caller that accepts NDJSON (the admin's command line) gets one `{"progress": …}` line
// per job and poll, then one `{"status", "report"}` (or `{"status", "error"}`) line at the end. The HTTP status is
// then always 200, sent before the outcome is known; the last line's `status` is the one a plain call gets.
import type { Request, Response } from '@google-cloud/functions-framework';
import type { ProgressEvent } from '../run/deps.js';

export const PROGRESS_TYPE = 'application/x-ndjson';

export function wantsProgress(req: Request): boolean {
  return (req.get('accept') ?? '').includes(PROGRESS_TYPE);
}

/** Starts the streamed answer; the returned function writes one progress line. */
export function startProgress(res: Response): (event: ProgressEvent) => void {
  res.status(200).set({ 'content-type': `${PROGRESS_TYPE}; charset=utf-8`, 'cache-control': 'no-store' });
  res.flushHeaders();
  return (event) => {
    res.write(`${JSON.stringify({ progress: event })}\n`);
  };
}

export type Outcome = { report: object } | { error: { code: string; message: string } };

/** Ends the answer: the report (or `{ error }`) with its status, or the last line of a watched answer. */
export function answer(res: Response, watched: boolean, status: number, outcome: Outcome): void {
  if (watched) res.end(`${JSON.stringify({ status, ...outcome })}\n`);
  else res.status(status).json('report' in outcome ? outcome.report : outcome);
}
