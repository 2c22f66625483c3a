// One pointInTime target's shipping: the closed logs its server lists, those its kept backups' chains need, each
// not yet in the bucket shipped oldest first, stopping at the first failure (a later log would leave a gap); and the
// logs the server purged before they were shipped, named with what to do.
import { binlogFolder } from '../../core/binlog-name.js';
import { BackupError } from '../../core/errors.js';
import { AgentError } from '../agent/agent-error.js';
import type { Target } from '../config/schema.js';
import { errorFailure, type FailureInfo } from '../run/failure.js';
import type { BinlogOutcome, BinlogShipping, TargetReport } from '../run/report.js';
import { finishTarget, type RunContext } from '../run/run-context.js';
import { backupStarts } from './backup-starts.js';
import { forDatabase, TAKE_A_BACKUP } from './chain.js';
import { planShipping } from './logs-to-ship.js';
import { shipLog } from './ship-log.js';
import { isProven, listShippedLogs } from './shipped-logs.js';

/** The closed logs, or the agent's refusal in words naming the setting to change. */
async function closedLogs(ctx: RunContext, target: Target) {
  try {
    return await ctx.agent.closedLogs(target.agentUrl, target.id);
  } catch (error) {
    if (error instanceof AgentError && error.context.agentCode === 'BINLOG_NOT_READY') {
      throw new BackupError(
        'BINLOG_NOT_READY',
        `${target.database} is set pointInTime, but its server's binary logs cannot be shipped: ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
}

function purgedFailure(target: Target, serverId: number, purged: readonly string[]): FailureInfo {
  return {
    code: 'BINLOG_LOST',
    message: `${purged.join(', ')} of ${target.database}'s server (id ${serverId}) were purged before they were shipped: it cannot be restored to a moment after its newest backup; ${forDatabase(TAKE_A_BACKUP, target.database)} and keep the server's binary logs longer (binlog_expire_logs_seconds)`,
  };
}

/** Ships what the chain needs; the first failure ends the target's shipping. */
async function ship(
  ctx: RunContext,
  target: Target,
): Promise<{ binlogs: BinlogShipping; error?: FailureInfo }> {
  const closed = await closedLogs(ctx, target);
  const { serverId } = closed.server;
  const all = await listShippedLogs(ctx.bucket, ctx.config, target.database);
  const held = new Map(all.filter((log) => log.serverId === serverId).map((log) => [log.file, log]));
  // A server restarted with a new server_id still lists the logs its old identity wrote, shipped under that one.
  const shippedBefore = new Set(
    all
      .filter((log) => isProven(log) && log.serverId !== serverId)
      .map(({ file, facts }) => `${file} ${facts?.size}`),
  );
  const starts = (await backupStarts(ctx.bucket, ctx.config, target, ctx.deps.clock.now()))
    .flatMap(({ start }) => (start?.serverId === serverId ? [start.file] : []))
    .reverse();
  const plan = planShipping(closed.logs, new Set(held.keys()), starts);
  const binlogs: BinlogShipping = {
    serverId,
    shipped: [],
    ...(plan.purged.length > 0 && { purged: plan.purged }),
  };
  for (const log of plan.needed) {
    if (shippedBefore.has(`${log.file} ${log.size}`)) continue;
    const there = held.get(log.file);
    if (there) {
      if (isProven(there)) continue;
      const message = `${there.info.name} exists but is not a log this function checked and attested: delete it while the server still holds ${log.file}, and the next run ships it again`;
      return { binlogs, error: { code: 'OBJECT_UNPROVEN', message } };
    }
    const shipped = await shipLog(ctx, target, serverId, log).catch((error: unknown) => ({
      kind: 'failed' as const,
      error: errorFailure(error),
    }));
    if (shipped.kind === 'failed') return { binlogs, error: shipped.error };
    binlogs.shipped.push(log.file);
    ctx.deps.logger.event('binlogs.log-shipped', `${shipped.info.name} shipped, checked and attested`, {
      runId: ctx.runId,
      targetId: target.id,
      database: target.database,
      object: shipped.info.name,
      bytes: shipped.info.size,
      generation: shipped.info.generation,
    });
  }
  return { binlogs, ...(plan.purged.length > 0 && { error: purgedFailure(target, serverId, plan.purged) }) };
}

export async function shipTarget(ctx: RunContext, target: Target): Promise<TargetReport<BinlogOutcome>> {
  let result: { binlogs?: BinlogShipping; error?: FailureInfo };
  try {
    result = await ship(ctx, target);
  } catch (error) {
    result = { error: errorFailure(error) };
  }
  const { binlogs, error } = result;
  const objectName = binlogFolder(ctx.config.prefix, target.database, binlogs?.serverId);
  const planned = { target, objectName };
  const details = { ...(binlogs && { binlogs }), ...(error && { error }) };
  const count = binlogs?.shipped.length ?? 0;
  if (error) {
    const message = `shipping ${target.database}'s binary logs failed after ${count} shipped: ${error.message}`;
    return finishTarget(ctx, 'binlogs', planned, 'failed', message, details);
  }
  if (count === 0)
    return finishTarget(
      ctx,
      'binlogs',
      planned,
      'current',
      `${target.database}: no binary log waited`,
      details,
    );
  return finishTarget(
    ctx,
    'binlogs',
    planned,
    'shipped',
    `${target.database}: ${count} binary log(s) shipped`,
    details,
  );
}
