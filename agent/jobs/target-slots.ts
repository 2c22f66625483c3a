// The hold a running job has on its target, shared by backups and restores: the job, and how to stop it — by a
// signed cancel, or all at once when the agent stops.

/** What holds a target while one of its jobs runs. */
export interface TargetSlot {
  jobId: string;
  abort: AbortController;
}

/** Stops `jobId` if it is the job holding `slot` and not already stopping; whether it was stopped now. */
export function abortJob(slot: TargetSlot | undefined, jobId: string, reason: Error): boolean {
  if (slot?.jobId !== jobId || slot.abort.signal.aborted) return false;
  slot.abort.abort(reason);
  return true;
}

/** Stops every job still holding a slot, as the agent stops. */
export function abortAll(slots: Iterable<TargetSlot>, reason: Error): void {
  for (const { abort } of slots) if (!abort.signal.aborted) abort.abort(reason);
}
