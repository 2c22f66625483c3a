// How long a job on an agent has been going — since it started, or was queued: what tells a slow job from a stuck one.
export function minutesGoing(job: { startedAt?: string; queuedAt?: string }, now: Date): number {
  const since = Date.parse(job.startedAt ?? job.queuedAt ?? '');
  return Number.isNaN(since) ? 0 : (now.getTime() - since) / 60_000;
}
