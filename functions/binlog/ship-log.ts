// One closed binary log shipped: a create-only session named after its server and file, the agent's stream into it,
// then the object checked as a backup is (size and hashes against the agent's signed account), and the log's facts,
// the function's attestation over them and its retention end written in one update.
import { binlogObjectName } from '../../core/binlog-name.js';
import type { ClosedLogs, ShipResult } from '../../core/binlog-protocol.js';
import { BackupError } from '../../core/errors.js';
import type { Target } from '../config/schema.js';
import { attest } from '../object/attestation.js';
import { refuseObject, uploadMismatch } from '../object/check-object.js';
import { ENCRYPTED_FOR_KEY, VERIFIED_KEY } from '../object/good-backup.js';
import type { FailureInfo } from '../run/failure.js';
import type { RunContext } from '../run/run-context.js';
import { contentTypeOf } from '../storage/content-type.js';
import { getObject, type ObjectInfo, openSession } from '../storage/objects.js';
import { updateObject } from '../storage/update-object.js';
import { logFactsMetadata } from './log-facts.js';
import { logKeptUntil } from './log-retention.js';

type ClosedLog = ClosedLogs['logs'][number];

/** A mismatched log object blocks its name (sessions are create-only) until the admin removes it. */
const REMEDY = 'delete it while the server still holds the log, and the next run ships it again';

/** The object a log of `target`'s server `serverId` is shipped to. */
function logObjectName(ctx: RunContext, target: Target, serverId: number, file: string): string {
  return binlogObjectName(ctx.config.prefix, {
    database: target.database,
    serverId,
    file,
    compression: target.compression.algorithm,
    encrypted: target.encryption === 'required',
  });
}

/**
 * Why the agent's account is not of the log the server listed; null when it is. Its server id may differ from the
 * server's own: the last log a server wrote before it restarted with a new server_id is listed by the new identity,
 * and stays the old one's (the chain follows it by its facts, whatever folder it is in).
 */
function factsMismatch(result: ShipResult, log: ClosedLog): string | null {
  const facts = result.log;
  if (!facts) return 'the agent reported success without the log’s facts';
  if (facts.file !== log.file) return `the agent shipped ${facts.file}, not ${log.file}`;
  if (facts.size !== log.size) return `the log has ${facts.size} bytes, the server listed ${log.size}`;
  return null;
}

export type Shipped = { kind: 'shipped'; info: ObjectInfo } | { kind: 'failed'; error: FailureInfo };

/**
 * Ships `log`: its checked object, or the agent's own account of why it was not shipped; throws naming anything
 * else that went wrong (the session, the call, the check).
 */
export async function shipLog(
  ctx: RunContext,
  target: Target,
  serverId: number,
  log: ClosedLog,
): Promise<Shipped> {
  const name = logObjectName(ctx, target, serverId, log.file);
  const session = await openSession(ctx.bucket, name, {
    force: false,
    contentType: contentTypeOf(target),
    metadata: { runId: ctx.runId, targetId: target.id, database: target.database, engine: target.engine },
  });
  if (session.kind === 'exists')
    throw new BackupError('OBJECT_EXISTS', `${name} was created by someone else while this run shipped it`);
  const result = await ctx.agent.shipLog(target.agentUrl, target.id, {
    file: log.file,
    size: log.size,
    uploadUri: session.uri,
    compression: target.compression,
    ...(target.encryption === 'required' && { encrypted: true }),
  });
  if (!result.ok) {
    const why = result.errorMessage ?? 'the agent did not say why';
    const error = {
      code: result.errorCode ?? 'UPLOAD_FAILED',
      message: `${log.file} was not shipped: ${why}`,
    };
    return { kind: 'failed', error: { ...error, stderrTail: result.stderrTail } };
  }
  const info = await getObject(ctx.bucket, name);
  if (!info)
    throw new BackupError(
      'BINLOG_MISMATCH',
      `the agent reported ${log.file} shipped but ${name} does not exist`,
    );
  const mismatch = uploadMismatch(info, result, target) ?? factsMismatch(result, log);
  if (mismatch || !result.log) return refuseObject(ctx.bucket, info, `${name}: ${mismatch}`, REMEDY);
  const now = ctx.deps.clock.now();
  const written = {
    ...logFactsMetadata(result.log),
    [VERIFIED_KEY]: now.toISOString(),
    sha256: result.sha256 ?? '',
    runId: ctx.runId,
    targetId: target.id,
    database: target.database,
    agentHost: new URL(target.agentUrl).host,
    ...(result.recipients && { [ENCRYPTED_FOR_KEY]: result.recipients.join(' ') }),
  };
  const checked = await updateObject(ctx.bucket, info, {
    metadata: { ...written, ...attest(ctx.config.bucket, info, ctx.config.signingKey, now, written) },
    keepUntil: logKeptUntil(result.log.lastEventAt, ctx.config),
  });
  return { kind: 'shipped', info: checked };
}
