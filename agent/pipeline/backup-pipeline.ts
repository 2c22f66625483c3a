// A backup of any target, configured once for the agent: the job runner calls it with a target and a job, and
// the credentials, tools and upload settings are resolved here, not passed through the runner.
import type { BinlogPosition, JobRequest } from '../../core/protocol.js';
import { type EncryptionPolicy, recipientsFor } from '../encryption/recipients.js';
import type { ResolveDump } from '../engines/credentials.js';
import { dumpMarkFor, type TargetConfig } from '../engines/index.js';
import type { SourceClock } from '../jobs/stall-clock.js';
import { binlogPosition, readBinlogSettings } from './binlog-start.js';
import type { CancelSession } from './cancel-session.js';
import {
  type BackupProgress,
  type StreamedBackup,
  type StreamSettings,
  streamBackup,
} from './stream-backup.js';

export interface BackupControl {
  /** Aborting stops the backup; a BackupError reason gives the failure's code. */
  signal: AbortSignal;
  onProgress: (progress: BackupProgress) => void;
  /** Stopped while the backup waits on its upload rather than on its dump. */
  clock?: SourceClock;
}

/** Throws only when the backup cannot start (e.g. an unreadable password file); every other failure is an outcome. */
export type BackupPipeline = (
  target: TargetConfig,
  request: JobRequest,
  control: BackupControl,
) => Promise<StreamedBackup>;

export function createBackupPipeline(
  settings: StreamSettings,
  encryption: EncryptionPolicy,
  resolve: ResolveDump,
  cancelSession: CancelSession,
): BackupPipeline {
  return async (target, request, control) => {
    // Before the server is asked or the dump's secrets resolved: a backup refused for want of recipients starts nothing.
    const recipients = recipientsFor(target, encryption, request.encrypted ?? false);
    const read =
      target.engine === 'mysql'
        ? await readBinlogSettings(resolve.binlogSettings(target), settings.redact, control.signal)
        : { notes: [] };
    const binlog = read.settings;
    let position: BinlogPosition | undefined;
    const outcome = await streamBackup({
      request,
      recipients,
      command: resolve.dump(target, { startPoint: binlog?.enabled }),
      mark: dumpMarkFor(target),
      cancelSession: () => cancelSession(request),
      settings,
      ...control,
      ...(binlog?.enabled && {
        onHead: (head: Buffer) => {
          position = binlogPosition(binlog, head);
        },
      }),
    });
    const stderrTail = [...read.notes, ...outcome.stderrTail];
    return { ...outcome, stderrTail, ...(position && { binlog: position }) };
  };
}
