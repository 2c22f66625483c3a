// Every event the agent logs, in one table: a line's `event` is one of these, kebab-case as the function's are. The
// login banner shows the `job.` events logged as errors, so a failure the admin must see is a `job.` event.
export const AGENT_EVENTS = [
  'agent.started',
  'agent.stopping',
  'agent.stopped',
  'run.accepted',
  'job.started',
  'job.succeeded',
  'job.failed',
  'job.interrupted',
  'job.skipped',
  'job.cancelling',
  'job.unreadable',
  'job.state-lost',
  'job.prune-failed',
  'job.restore-queued',
  'job.restore-started',
  'job.restore-succeeded',
  'job.restore-failed',
  'job.restore-interrupted',
  'job.scratch-dropped',
  'session.cancel-unconfirmed',
  'canary.succeeded',
  'canary.failed',
  'binlog.shipped',
  'binlog.failed',
  'request.refused',
  'request.unauthenticated',
] as const;

export type AgentEvent = (typeof AGENT_EVENTS)[number];
