// Whether a target's binary logs can be shipped — the first thing shipping asks of the agent: its server keeps a
// binary log, in ROW format, and is MariaDB (whose backups record where they start). Anything else is refused with
// BINLOG_NOT_READY naming the setting, so that the admin knows what to change; nightly backups never ask this.
import { BackupError } from '../../core/errors.js';
import type { BinlogReady } from '../../core/protocol.js';
import type { ResolveDump } from '../engines/credentials.js';
import type { TargetConfig } from '../engines/index.js';
import type { Redact } from '../log/redact.js';
import { askBinlogSettings } from '../pipeline/binlog-start.js';

export type BinlogReadiness = (targetId: string) => Promise<BinlogReady>;

/** The client's question gets this long: the settings are one query, which a hung server must not hold forever. */
const ASK_TIMEOUT_MS = 30_000;

export function createBinlogReadiness(
  targets: readonly TargetConfig[],
  resolve: Pick<ResolveDump, 'binlogSettings'>,
  redact: Redact,
): BinlogReadiness {
  return async (targetId) => {
    const target = targets.find((t) => t.id === targetId);
    if (!target) throw new BackupError('TARGET_UNKNOWN', 'no such target');
    const refuse = (why: string): never => {
      throw new BackupError('BINLOG_NOT_READY', `the binary logs of ${targetId} cannot be shipped: ${why}`);
    };
    if (target.engine !== 'mysql') return refuse(`it is a ${target.engine} target; binary logs are MySQL's`);
    const command = resolve.binlogSettings(target);
    const settings = await askBinlogSettings(command, redact, AbortSignal.timeout(ASK_TIMEOUT_MS)).catch(
      (error: Error) => refuse(`its server could not be asked for its settings: ${error.message}`),
    );
    if (!settings.enabled) {
      return refuse('log_bin is OFF on its server; start the server with log_bin and binlog_format=ROW');
    }
    if (settings.format !== 'ROW') {
      return refuse(`binlog_format is ${settings.format || 'unknown'} on its server; set binlog_format=ROW`);
    }
    if (!settings.fromSnapshot) {
      return refuse(
        "its server is Oracle's MySQL, whose backups record no position; shipping is MariaDB's only",
      );
    }
    return { targetId, format: 'ROW', server: settings.server };
  };
}
