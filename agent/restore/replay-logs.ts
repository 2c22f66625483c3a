// A restore to a moment, after its full backup went in: each shipped binary log in order read through its signed
// URL and hashed as a backup is, decrypted and decompressed, turned into statements by mariadb-binlog and fed to the
// restore client — from the backup's position in the first log to the moment. A log that fails fails the restore.
import { basename } from 'node:path';
import type { Transform } from 'node:stream';
import { BackupError } from '../../core/errors.js';
import type { CompressionAlgorithm } from '../../core/formats.js';
import type { ReplayReport } from '../../core/restore-protocol.js';
import type { RestoreSteps } from '../engines/index.js';
import { TransactionWatch } from '../engines/mysql-replay.js';
import type { SourceClock } from '../jobs/stall-clock.js';
import type { Redact } from '../log/redact.js';
import type { StderrTail } from '../pipeline/stderr-tail.js';
import { type RestoreProgress, type RestoreToolSettings, streamRestore } from './stream-restore.js';
import type { ExpectedObject } from './verify-hashes.js';

export interface ReplayedLog {
  objectName: string;
  /** The server's name of the log, e.g. `binlog.000042`. */
  file: string;
  downloadUrl: string;
  expected: ExpectedObject;
  compression: CompressionAlgorithm;
  encrypted: boolean;
}

export interface ReplaySource {
  database: string;
  startPosition: number;
  stopAt: Date;
  logs: ReplayedLog[];
}

export interface ReplayInput {
  source: ReplaySource;
  steps: RestoreSteps;
  /** The engine's filters for replayed logs, fresh for each log; an engine without them replays nothing. */
  filters: (() => Transform[]) | undefined;
  settings: RestoreToolSettings & { redact: Redact };
  tail: StderrTail;
  signal: AbortSignal;
  clock?: SourceClock;
  onProgress(progress: RestoreProgress): void;
  /** Hears the report after each log, so a status shows how far a replay got even when it fails. */
  onReport(report: ReplayReport): Promise<void>;
}

/** The replay's report once every log went in; a BackupError naming the log that failed otherwise. */
export async function replayLogs(input: ReplayInput): Promise<ReplayReport> {
  const { source, steps, filters } = input;
  if (!steps.replay || !filters)
    throw new BackupError('REQUEST_INVALID', 'this engine cannot replay change logs');
  let report: ReplayReport = {
    stopAt: source.stopAt.toISOString(),
    logsReplayed: 0,
    logsTotal: source.logs.length,
  };
  await input.onReport(report);
  /** The bytes of the logs before this one: progress counts across the logs. */
  const done: RestoreProgress = { bytesDownloaded: 0, bytesRestored: 0 };
  for (const [index, log] of source.logs.entries()) {
    const watch = new TransactionWatch();
    const decode = steps.replay({
      database: source.database,
      stopAt: source.stopAt,
      ...(index === 0 && { startPosition: source.startPosition }),
    });
    const outcome = await streamRestore({
      ...log,
      url: log.downloadUrl,
      command: steps.restore,
      decoder: { step: decode, failure: 'REPLAY_FAILED' },
      filters: [...filters(), watch.filter()],
      settings: input.settings,
      tail: input.tail,
      signal: input.signal,
      clock: input.clock,
      onProgress: (progress) =>
        input.onProgress({
          bytesDownloaded: done.bytesDownloaded + progress.bytesDownloaded,
          bytesRestored: done.bytesRestored + progress.bytesRestored,
        }),
    });
    done.bytesDownloaded += outcome.bytesDownloaded;
    done.bytesRestored += outcome.bytesRestored;
    input.onProgress({ ...done });
    // What passed before a failure was applied, and is told; the scratch database holding it is dropped.
    if (watch.last) report = { ...report, lastTransaction: { ...watch.last, file: log.file } };
    if (!outcome.ok) {
      await input.onReport(report);
      throw new BackupError(
        outcome.errorCode ?? 'REPLAY_FAILED',
        `the binary log ${basename(log.objectName)} (${index + 1} of ${source.logs.length}) was not replayed: ${outcome.errorMessage ?? 'it failed'}`,
      );
    }
    report = { ...report, logsReplayed: index + 1 };
    await input.onReport(report);
  }
  return report;
}
