// The first step of each shipping: the target's server closes the log it writes to (FLUSH BINARY LOGS) and lists its
// logs; every one but the last, which it now writes, is closed and can be shipped. Asked only of a server that is
// ready (readiness.ts refuses any other with BINLOG_NOT_READY naming the setting).
import type { ClosedLogs } from '../../core/binlog-protocol.js';
import { BackupError } from '../../core/errors.js';
import type { ResolveShipping } from '../engines/credentials.js';
import type { MysqlTarget } from '../engines/index.js';
import { parseBinaryLogs } from '../engines/mysql-binlog.js';
import type { Redact } from '../log/redact.js';
import { askServer } from '../pipeline/binlog-start.js';
import type { BinlogReadiness } from './readiness.js';

export type ListClosedLogs = (targetId: string) => Promise<ClosedLogs>;

/** As readiness' question: one client run, which a hung server must not hold forever. */
const LIST_TIMEOUT_MS = 30_000;

export interface ClosedLogsDeps {
  targets: readonly { id: string; engine: string }[];
  resolve: Pick<ResolveShipping, 'closedLogs'>;
  readiness: BinlogReadiness;
  redact: Redact;
  now: () => Date;
}

export function createClosedLogs(deps: ClosedLogsDeps): ListClosedLogs {
  return async (targetId) => {
    const { server } = await deps.readiness(targetId);
    // Ready means a MySQL target of the agent's.
    const target = deps.targets.find((t) => t.id === targetId) as MysqlTarget;
    // Before the flush: every transaction committed before this moment is in a log the flush closes, or an older one.
    const flushedAt = deps.now().toISOString();
    const stdout = await askServer(
      deps.resolve.closedLogs(target),
      'closing and listing the binary logs (the backup user needs RELOAD or BINLOG ADMIN, and BINLOG MONITOR)',
      deps.redact,
      AbortSignal.timeout(LIST_TIMEOUT_MS),
    ).catch((error: Error) => {
      throw new BackupError(
        'BINLOG_NOT_READY',
        `the binary logs of ${targetId} cannot be listed: ${error.message}`,
      );
    });
    const listed = parseBinaryLogs(stdout);
    return { targetId, server, flushedAt, logs: listed.slice(0, -1) };
  };
}
