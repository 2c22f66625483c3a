// One closed binary log shipped into the create-only session the function opened for it: mariadb-binlog reads it
// from the server as it is on disk, and it takes a backup's chain (stream-backup.ts) — counted, compressed, encrypted
// when the object is `.age`, hashed, uploaded — finalized only when every tool exited 0 and the log's own bytes say
// it is whole (binlog-mark.ts). One log per target at a time: the shipping of a target is one ordered sequence.
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ShipRequest, ShipResult } from '../../core/binlog-protocol.js';
import { BackupError } from '../../core/errors.js';
import { type EncryptionPolicy, recipientsFor } from '../encryption/recipients.js';
import type { ResolveShipping } from '../engines/credentials.js';
import type { MysqlTarget, TargetConfig } from '../engines/index.js';
import type { AgentLog } from '../log/agent-log.js';
import type { CancelSession } from '../pipeline/cancel-session.js';
import { privateDir } from '../pipeline/private-dir.js';
import { type StreamedBackup, type StreamSettings, streamBackup } from '../pipeline/stream-backup.js';
import { binlogMark } from './binlog-mark.js';
import type { BinlogReadiness } from './readiness.js';

/** Ships `request.file`; refusals throw (BINLOG_NOT_READY, BINLOG_BUSY, …), every other failure is an outcome. */
export type ShipLog = (targetId: string, request: ShipRequest, signal: AbortSignal) => Promise<ShipResult>;

export interface ShipLogDeps {
  targets: readonly TargetConfig[];
  resolve: Pick<ResolveShipping, 'shipLog'>;
  readiness: BinlogReadiness;
  encryption: EncryptionPolicy;
  settings: StreamSettings;
  cancelSession: CancelSession;
  log: AgentLog;
}

/** What mariadb-binlog says of a log the server no longer has (MariaDB's error 1236). */
const PURGED = 'Could not find first log file name in binary log index file';

/** The result the protocol carries: the stream's account without what only a backup has, and the log's facts. */
function shipResult(outcome: StreamedBackup, facts: ShipResult['log']): ShipResult {
  const { binlog: _position, ...result } = outcome;
  return { ...result, ...(outcome.ok && facts && { log: facts }) };
}

/** A log the server no longer has is named as such: it can never be shipped, a gap only the admin can accept. */
function purgedOrAsIs(outcome: StreamedBackup, targetId: string, file: string): StreamedBackup {
  if (outcome.ok || !outcome.stderrTail.some((line) => line.includes(PURGED))) return outcome;
  const errorMessage = `${file} is no longer on the server of ${targetId} (purged); it cannot be shipped`;
  return { ...outcome, errorCode: 'BINLOG_PURGED', errorMessage };
}

export function createShipLog(deps: ShipLogDeps): ShipLog {
  const shipping = new Set<string>();
  return async (targetId, request, signal) => {
    if (shipping.has(targetId)) {
      throw new BackupError('BINLOG_BUSY', `a binary log of ${targetId} is being shipped already`);
    }
    shipping.add(targetId);
    try {
      await deps.readiness(targetId);
      // Ready means a MySQL target of the agent's.
      const target = deps.targets.find((t) => t.id === targetId) as MysqlTarget;
      const recipients = recipientsFor(target, deps.encryption, request.encrypted ?? false);
      return await ship(target, request, recipients, signal);
    } finally {
      shipping.delete(targetId);
    }
  };

  async function ship(
    target: MysqlTarget,
    request: ShipRequest,
    recipients: readonly string[],
    signal: AbortSignal,
  ): Promise<ShipResult> {
    const { file, size } = request;
    // mariadb-binlog writes into <dir>/<file>: there, a symlink to its own stdout.
    const dir = privateDir();
    try {
      symlinkSync('/dev/stdout', join(dir, file));
      const mark = binlogMark(file, size);
      const streamed = await streamBackup({
        request,
        recipients,
        command: deps.resolve.shipLog(target, dir, file),
        mark,
        rawTail: true,
        cancelSession: () =>
          deps.cancelSession({ uploadUri: request.uploadUri, objectName: `binlog ${file}` }),
        settings: deps.settings,
        signal,
      });
      const outcome = purgedOrAsIs(streamed, target.id, file);
      const fields = { targetId: target.id, file, size, bytesUploaded: outcome.bytesUploaded };
      if (outcome.ok) deps.log.info('binlog.shipped', `shipped ${file} of ${target.id}`, fields);
      else {
        const failed = { ...fields, errorCode: outcome.errorCode };
        deps.log.error(
          'binlog.failed',
          `shipping ${file} of ${target.id} failed: ${outcome.errorMessage}`,
          failed,
        );
      }
      return shipResult(outcome, mark.facts());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
