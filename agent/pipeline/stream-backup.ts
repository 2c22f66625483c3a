// One backup: dump tool → pv → pv → compressor → age when encrypted (tool-chain.ts) → hashes → resumable upload,
// finalized only after every process exited 0 and the dump ended with its tool's mark of a complete dump.

import { basename } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '../../core/compression.js';
import { BackupError, type ErrorCode } from '../../core/errors.js';
import { type Digests, HashingStream } from '../../core/hashes.js';
import type { BinlogPosition, JobRequest } from '../../core/protocol.js';
import { encryptCommand } from '../encryption/age-command.js';
import { fingerprint } from '../encryption/recipients.js';
import type { DumpMark, MarkCheck } from '../engines/dump-mark.js';
import type { DumpCommand } from '../engines/index.js';
import type { SourceClock } from '../jobs/stall-clock.js';
import type { Redact } from '../log/redact.js';
import { BackupWatch } from './backup-watch.js';
import type { Failure } from './blame.js';
import { type CompressorTools, compressorFor } from './compressor.js';
import { ResumableUpload } from './resumable-upload.js';
import type { RetryPolicy } from './retrying.js';
import { StderrTail } from './stderr-tail.js';
import { type Chain, STAGES, startChain } from './tool-chain.js';

/** What one backup's stream came to: the agent's account of it, which the function's report outcome is drawn from. */
export interface StreamedBackup {
  ok: boolean;
  /** Bytes the dump tool wrote to its stdout. */
  bytesRead: number;
  /** Bytes of the compressed (and encrypted) stream handed to storage: the object's size on success. */
  bytesUploaded: number;
  /** The fingerprints of the recipients it was encrypted for; absent for a plain backup. */
  recipients?: string[];
  /** Of the uploaded bytes, on success: crc32c and md5 base64 (as Cloud Storage shows them), sha256 hex. */
  crc32c?: string;
  md5?: string;
  sha256?: string;
  /** `dump`, `count` and `mark` (the pvs), `compress` (pigz or zstd), `encrypt` (age) as far as they started; null for a signal. */
  exitCodes: Record<string, number | null>;
  errorCode?: ErrorCode;
  errorMessage?: string;
  /** The last lines of the tools' stderr, each prefixed with the tool's name, secrets redacted. */
  stderrTail: string[];
  /** Where the dump starts in its server's binary log, on success, when the server keeps one. */
  binlog?: BinlogPosition;
}

export interface BackupProgress {
  bytesRead: number;
  bytesUploaded: number;
}

/** How a target's backups run: the same for every job of the agent but the dump command. */
export interface StreamSettings extends CompressorTools {
  /** The pv executable: it counts the dump's bytes between the tools, so that they need not pass through the agent. */
  pvPath: string;
  /** The age executable, for encrypted backups. */
  agePath: string;
  /** Upload chunk size, a multiple of 256 KiB; memory use is about twice this whatever the database's size. */
  chunkSize: number;
  retry: RetryPolicy;
  /** The agent's redactor: it knows every password read so far, and masks the tools' stderr with it. */
  redact: Redact;
}

export interface StreamBackupInput {
  request: Pick<JobRequest, 'uploadUri'> & { compression: Compression };
  /** age recipients to encrypt for; none (or empty) for a plain backup. */
  recipients?: readonly string[];
  /** The dump tool, its secrets already in place and known to the redactor (see engines/credentials.ts). */
  command: DumpCommand;
  /** What the dump tool writes at the end of a complete dump. */
  mark: DumpMark;
  /** Ends the upload session after a failure; never throws. */
  cancelSession: () => Promise<void>;
  settings: StreamSettings;
  /** Aborting stops the tools and cancels the session; a BackupError reason gives the code, else JOB_INTERRUPTED. */
  signal: AbortSignal;
  /** Called about once a second, whether or not bytes flow. */
  onProgress?: (progress: BackupProgress) => void;
  /** Stopped while the backup waits on the upload, and once the dump has ended: that time is not the dump's. */
  clock?: SourceClock;
  /** Given the dump's first bytes (dump-head.ts) once a backup succeeded; without it the agent reads none. */
  onHead?: (head: Buffer) => void;
  /** The dump is binary: its mark is checked on its last bytes as they are (raw-tail.ts), not as pv shows text. */
  rawTail?: boolean;
}

const STDERR_LINES = 20;
const PROGRESS_MS = 1000;

/**
 * Forwards into the upload, one chunk at a time; the upload itself is completed only by the caller. A failed
 * upload is reported first, before the pipeline tears the compressor down and it reports an error of its own. Once
 * the backup has failed, what the compressor still writes is drained instead, so that it ends on its own.
 */
function forwardInto(
  upload: ResumableUpload,
  failed: () => boolean,
  onError: (error: unknown) => void,
  clock: SourceClock | undefined,
): Writable {
  return new Writable({
    // The upload buffers a whole chunk of its own: no need to hold more here.
    highWaterMark: 64 * 1024,
    write: (chunk: Buffer, _encoding, callback) => {
      if (failed()) return callback();
      clock?.pause();
      upload.write(chunk).then(
        () => {
          clock?.resume();
          callback();
        },
        (error: Error) => {
          if (failed()) return callback();
          onError(error);
          callback(error);
        },
      );
    },
  });
}

/** What a dump whose every tool exited 0 may still be: empty, or without its tool's mark of completion. */
function judgeDump(
  label: string,
  bytes: number,
  last: string | undefined,
  check: MarkCheck,
): Failure | undefined {
  if (bytes === 0) {
    // Every supported tool writes a header even for an empty database: no output at all is a failure in disguise.
    return {
      code: 'DUMP_FAILED',
      message: `${label} exited 0 but wrote nothing; an empty dump is not a backup`,
    };
  }
  const verdict = last === undefined ? "pv never showed the dump's end" : check.verdict(last, bytes);
  return incomplete(label, verdict, check);
}

function incomplete(label: string, verdict: string | undefined, check: MarkCheck): Failure | undefined {
  return verdict
    ? { code: check.code ?? 'DUMP_INCOMPLETE', message: `${label} exited 0 but ${verdict}` }
    : undefined;
}

/** Never throws for a backup failure: every failure is an outcome with its code, and the session is cancelled. */
export async function streamBackup(input: StreamBackupInput): Promise<StreamedBackup> {
  const { request, command, settings } = input;
  const tail = new StderrTail(STDERR_LINES, settings.redact);
  const watch = new BackupWatch(tail);
  const hasher = new HashingStream();
  let chain: Chain | undefined;
  let digests: Digests | undefined;
  const dumpBytes = () => chain?.meter?.bytes ?? 0;
  const onAbort = () => {
    const reason: unknown = input.signal.reason;
    if (reason instanceof BackupError) watch.fail({ code: reason.code, message: reason.message });
    else watch.fail({ code: 'JOB_INTERRUPTED', message: 'the backup was stopped before it finished' });
  };
  const onUploadError = (error: unknown) => watch.failWith(error, 'UPLOAD_FAILED', 'upload failed');
  input.signal.addEventListener('abort', onAbort, { once: true });
  const progress = setInterval(
    () => input.onProgress?.({ bytesRead: dumpBytes(), bytesUploaded: hasher.bytes }),
    PROGRESS_MS,
  );
  progress.unref();
  try {
    if (input.signal.aborted) onAbort();
    if (watch.failure) return await settle();
    const upload = new ResumableUpload({
      uri: request.uploadUri,
      chunkSize: settings.chunkSize,
      retry: settings.retry,
      signal: watch.stop.signal,
    });
    const check = input.mark.check();
    const recipients = input.recipients ?? [];
    chain = await startChain({
      dump: command,
      compressor: compressorFor(request.compression, settings),
      ...(recipients.length > 0 && { encrypt: encryptCommand(settings.agePath, recipients) }),
      pv: settings.pvPath,
      tail,
      watch: (stage) => watch.watch(stage),
      readHead: input.onHead !== undefined || check.head !== undefined,
      rawTail: input.rawTail,
      dumpStderr: check.stderrLine && ((line) => check.stderrLine?.(line)),
      signal: watch.stop.signal,
    });
    // A stream error only shows the last tool's failure: its exit code says more.
    const last = recipients.length > 0 ? STAGES.encrypt : STAGES.compress;
    chain.output.on('error', (error) =>
      watch.fail({
        code: last.code,
        message: `${recipients.length > 0 ? 'encryption' : 'compression'} failed: ${error.message}`,
        tool: { at: last.at, symptom: true },
      }),
    );
    const forward = forwardInto(upload, () => watch.failure !== undefined, onUploadError, input.clock);
    const [streamed] = await Promise.allSettled([
      pipeline(chain.output, hasher, forward, { signal: watch.halt.signal }),
      watch.ended(),
    ]);
    input.clock?.pause();
    // Only once every tool has ended, whose own failure explains a broken stream better.
    if (streamed.status === 'rejected')
      watch.failWith(streamed.reason, 'INTERNAL', 'the backup stream broke');
    const label = basename(command.file);
    const head = watch.failure
      ? undefined
      : await chain.head?.bytes.catch((error: Error) => {
          watch.fail({ code: 'DUMP_FAILED', message: error.message });
        });
    // The head first: a check of the end may need what the head says (a binary log's checksums).
    const badHead = head && check.head && incomplete(label, check.head(head), check);
    if (badHead) watch.fail(badHead);
    await chain.tail?.settled;
    const unfinished = watch.failure ? undefined : judgeDump(label, dumpBytes(), chain.tail?.last, check);
    if (unfinished) watch.fail(unfinished);
    if (!watch.failure) {
      // Every tool exited 0, the dump ends with its mark and every byte is in the upload: only now may it finalize.
      digests = hasher.digests();
      await upload.complete(digests).catch(onUploadError);
    }
    if (!watch.failure && head) input.onHead?.(head);
  } catch (error) {
    watch.failWith(error, 'INTERNAL', 'the backup could not run');
    await watch.ended();
  } finally {
    clearInterval(progress);
    input.signal.removeEventListener('abort', onAbort);
  }
  return settle();

  async function settle(): Promise<StreamedBackup> {
    const { exitCodes } = watch;
    const base = { bytesRead: dumpBytes(), bytesUploaded: hasher.bytes, exitCodes, stderrTail: tail.tail };
    const failure = watch.failure;
    if (!failure && digests) {
      const { crc32c, md5, sha256 } = digests;
      const recipients = input.recipients?.length ? { recipients: input.recipients.map(fingerprint) } : {};
      return { ok: true, ...base, crc32c, md5, sha256, ...recipients };
    }
    await input.cancelSession();
    const { code, message } = failure ?? { code: 'INTERNAL', message: 'the backup ended without its hashes' };
    return { ok: false, ...base, errorCode: code, errorMessage: message };
  }
}
