// One backup: dump tool → pv → compressor → hashes → resumable upload, finalized only after every process exited 0.
// Without pv, or with gzip in-process, the agent relays the dump to the compressor and counts it on the way.

import { closeSync } from 'node:fs';
import { basename } from 'node:path';
import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '../../core/compression.js';
import { BackupError, type ErrorCode } from '../../core/errors.js';
import type { JobRequest } from '../../core/protocol.js';
import { cancelUploadSession } from '../../core/upload-session.js';
import type { DumpCommand } from '../engines/index.js';
import type { Redact } from '../log/redact.js';
import { compressorCommand, startCompressor } from './compressor.js';
import { type DumpMeter, startDumpMeter } from './dump-meter.js';
import { findExecutable } from './find-executable.js';
import { CountingStream, HashingStream } from './hasher.js';
import { createOsPipe, type OsPipe } from './os-pipe.js';
import { ResumableUpload } from './resumable-upload.js';
import type { RetryPolicy } from './retrying.js';
import { type RunningTool, spawnTool } from './spawn-tool.js';
import { StderrTail } from './stderr-tail.js';
import { watchTool } from './watch-tool.js';

/** What one backup's stream came to: the agent's account of it, which the function's report outcome is drawn from. */
export interface StreamedBackup {
  ok: boolean;
  /** Bytes the dump tool wrote to its stdout. */
  bytesRead: number;
  /** Bytes of the compressed stream handed to storage: the object's size on success. */
  bytesUploaded: number;
  /** Of the uploaded bytes, on success: crc32c and md5 base64 (as Cloud Storage shows them), sha256 hex. */
  crc32c?: string;
  md5?: string;
  sha256?: string;
  /** `dump`, `compress` when pigz or zstd ran, `count` when pv did; null when killed by a signal or never started. */
  exitCodes: Record<string, number | null>;
  errorCode?: ErrorCode;
  errorMessage?: string;
  /** The last lines of the tools' stderr, each prefixed with the tool's name, secrets redacted. */
  stderrTail: string[];
}

export interface BackupProgress {
  bytesRead: number;
  bytesUploaded: number;
}

/** How a target's backups run: the same for every job of the agent but the dump command. */
export interface StreamSettings {
  zstdPath: string;
  /** The pigz executable, for gzip on every core; `pigz` on PATH when absent, else gzip runs in-process. */
  pigzPath?: string;
  /** The pv executable, `pv` on PATH when absent: it counts the dump's bytes so they need not pass through the agent. */
  pvPath?: string;
  /** Upload chunk size, a multiple of 256 KiB; memory use is about twice this whatever the database's size. */
  chunkSize: number;
  retry: RetryPolicy;
  /** The agent's redactor: it knows every password read so far, and masks the tools' stderr with it. */
  redact: Redact;
}

export interface StreamBackupInput {
  request: Pick<JobRequest, 'uploadUri'> & { compression: Compression };
  /** The dump tool, its secrets already in place and known to the redactor (see engines/credentials.ts). */
  command: DumpCommand;
  settings: StreamSettings;
  /** Aborting stops the tools and cancels the session; a BackupError reason gives the code, else JOB_INTERRUPTED. */
  signal: AbortSignal;
  /** Called about once a second, whether or not bytes flow. */
  onProgress?: (progress: BackupProgress) => void;
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
): Writable {
  return new Writable({
    // The upload buffers a whole chunk of its own: no need to hold more here.
    highWaterMark: 64 * 1024,
    write: (chunk: Buffer, _encoding, callback) => {
      if (failed()) return callback();
      upload.write(chunk).then(
        () => callback(),
        (error: Error) => {
          if (failed()) return callback();
          onError(error);
          callback(error);
        },
      );
    },
  });
}

/**
 * Where a tool sits in the chain, counted from the dump: a tool whose reader dies is broken by it, so of two failing
 * tools the one further downstream is the cause.
 */
const DUMP = 0;
const METER = 1;
const COMPRESSOR = 2;

interface Failure {
  code: ErrorCode;
  message: string;
  /** Set for a tool's failure: its place, and whether it only shows another's (SIGPIPE, a pipe the agent saw break). */
  tool?: { at: number; symptom: boolean };
}

/** Never throws for a backup failure: every failure is an outcome with its code, and the session is cancelled. */
export async function streamBackup(input: StreamBackupInput): Promise<StreamedBackup> {
  const { request, command, settings } = input;
  const tail = new StderrTail(STDERR_LINES, settings.redact);
  const exitCodes: Record<string, number | null> = {};
  const counter = new CountingStream();
  const hasher = new HashingStream();
  /** Aborted by any failure: the upload stops at once. */
  const stop = new AbortController();
  /**
   * Aborted by a failure that is no tool's: a failed tool's chain is left to drain, so each tool after it ends of
   * itself.
   */
  const halt = new AbortController();
  const tools: { tool: RunningTool; at: number }[] = [];
  let meter: DumpMeter | undefined;
  const dumpBytes = () => meter?.bytes ?? counter.bytes;
  let failure: Failure | undefined;
  let digests: ReturnType<HashingStream['digests']> | undefined;
  /** Stops what is upstream of a failed tool, which would only wait on a pipe nobody reads; all for anything else. */
  const killUpstream = (at = Number.POSITIVE_INFINITY) => {
    for (const stage of tools) if (stage.at < at) stage.tool.kill();
  };
  const fail = (code: ErrorCode, message: string, tool?: Failure['tool']) => {
    if (!failure) {
      failure = { code, message, tool };
      stop.abort();
      if (!tool) halt.abort();
      killUpstream(tool?.at);
      return;
    }
    // Node hears of exits in no particular order: a tool further downstream that failed in its own right is the cause
    // of whatever failed upstream of it first.
    const earlier = failure.tool;
    if (earlier && tool && tool.at >= earlier.at && (earlier.symptom || !tool.symptom)) {
      failure = { code, message, tool };
      killUpstream(tool.at);
    }
  };
  const onAbort = () => {
    const reason: unknown = input.signal.reason;
    if (reason instanceof BackupError) fail(reason.code, reason.message);
    else fail('JOB_INTERRUPTED', 'the backup was stopped before it finished');
  };
  input.signal.addEventListener('abort', onAbort, { once: true });
  const progress = setInterval(
    () => input.onProgress?.({ bytesRead: dumpBytes(), bytesUploaded: hasher.bytes }),
    PROGRESS_MS,
  );
  progress.unref();

  const waits: Promise<unknown>[] = [];
  /** Follows a tool: its stderr into the tail, its exit code into `exitCodes`, a bad exit into a failure. */
  const watch = (tool: RunningTool, key: string, label: string, at: number, code: ErrorCode) => {
    tools.push({ tool, at });
    // pv's stderr is read by the meter, which takes its counts and passes its other lines on to the tail.
    const record = { tail: at === METER ? undefined : tail, exitCodes };
    waits.push(
      watchTool(tool, key, label, record, (message, symptom) => fail(code, message, { at, symptom })),
    );
    // A tool that cannot start reports it a tick later: nothing upstream of it may start meanwhile.
    return tool.child.pid !== undefined;
  };
  const dumpLabel = basename(command.file);

  try {
    if (input.signal.aborted) onAbort();
    if (failure) return await settle();
    const upload = new ResumableUpload({
      uri: request.uploadUri,
      chunkSize: settings.chunkSize,
      retry: settings.retry,
      signal: stop.signal,
    });
    // With a compressor process and pv, the dump goes from tool to tool through kernel pipes, never through the agent,
    // which reads only the compressed bytes.
    const compressorProcess = compressorCommand(request.compression, settings);
    const pv = compressorProcess && findExecutable(settings.pvPath ?? 'pv');
    const streams: Promise<void>[] = [];
    const compressed =
      compressorProcess && pv ? chainThroughMeter(compressorProcess, pv) : relayDump(streams);
    streams.push(
      pipeline(
        compressed,
        hasher,
        forwardInto(
          upload,
          () => failure !== undefined,
          (error) => failWith(error, 'UPLOAD_FAILED', 'upload failed'),
        ),
        { signal: halt.signal },
      ),
    );
    const results = await Promise.allSettled([...streams, ...waits]);
    const broken = results.find((result) => result.status === 'rejected');
    if (broken) failWith((broken as PromiseRejectedResult).reason, 'INTERNAL', 'the backup stream broke');
    if (!failure && dumpBytes() === 0) {
      // Every supported tool writes a header even for an empty database: no output at all is a failure in disguise.
      fail('DUMP_FAILED', `${dumpLabel} exited 0 but wrote nothing; an empty dump is not a backup`);
    }
    if (!failure) {
      // The dump tool and the compressor both exited 0 and every byte is in the upload: only now may it finalize.
      digests = hasher.digests();
      await upload.complete(digests).catch((error) => failWith(error, 'UPLOAD_FAILED', 'upload failed'));
    }
  } catch (error) {
    failWith(error, 'INTERNAL', 'the backup could not run');
    await Promise.allSettled(waits);
  } finally {
    clearInterval(progress);
    input.signal.removeEventListener('abort', onAbort);
  }
  return settle();

  /** A compressor stream's error, which only shows the compressor's failure: its exit code says more. */
  function onCompressorError(error: Error): void {
    fail('COMPRESS_FAILED', `compression failed: ${error.message}`, { at: COMPRESSOR, symptom: true });
  }

  /** dump → pv → compressor, pipe to pipe: returns the compressor's output, all the agent reads. */
  function chainThroughMeter(compressorProcess: DumpCommand, pv: string): Readable {
    const pipes: OsPipe[] = [];
    try {
      // One at a time, so that the first is closed below even when the second cannot be made.
      for (let i = 0; i < 2; i += 1) pipes.push(createOsPipe());
      const [toMeter, toCompressor] = pipes as [OsPipe, OsPipe];
      const compressor = spawnTool(compressorProcess, { stdin: toCompressor.read });
      const output = compressor.child.stdout as Readable;
      output.on('error', onCompressorError);
      const label = basename(compressorProcess.file);
      if (watch(compressor, 'compress', label, COMPRESSOR, 'COMPRESS_FAILED')) {
        meter = startDumpMeter(pv, { stdin: toMeter.read, stdout: toCompressor.write }, tail);
        if (watch(meter.tool, 'count', meter.label, METER, 'DUMP_FAILED')) {
          watch(spawnTool(command, { stdout: toMeter.write }), 'dump', dumpLabel, DUMP, 'DUMP_FAILED');
        }
      }
      return output;
    } finally {
      // Each tool holds its own copies: the agent's must go for a reader to see the end once its writer exits.
      for (const pipe of pipes) for (const fd of [pipe.read, pipe.write]) closeSync(fd);
    }
  }

  /** Without pv, or with gzip in-process: the dump's stdout through the agent, counted on the way. */
  function relayDump(streams: Promise<void>[]): Readable {
    const compressor = startCompressor(request.compression, settings);
    for (const stream of compressor.streams) stream.on('error', onCompressorError);
    if (
      compressor.tool &&
      !watch(compressor.tool, 'compress', compressor.label, COMPRESSOR, 'COMPRESS_FAILED')
    ) {
      compressor.input.destroy();
      return compressor.output;
    }
    // A compressor that exits early has its stdin destroyed by Node without an error; without this the pipeline
    // would blame the dump's stdout for the premature close before the compressor's exit code arrives.
    compressor.input.on('close', () => {
      if (!compressor.input.writableFinished) {
        fail('COMPRESS_FAILED', `${compressor.label} stopped reading before the dump ended`, {
          at: COMPRESSOR,
          symptom: true,
        });
      }
    });
    const dump = spawnTool(command);
    watch(dump, 'dump', dumpLabel, DUMP, 'DUMP_FAILED');
    const stdout = dump.child.stdout as Readable;
    stdout.on('error', (error) =>
      fail('DUMP_FAILED', `reading ${dumpLabel} failed: ${error.message}`, { at: DUMP, symptom: false }),
    );
    streams.push(pipeline(stdout, counter, compressor.input, { signal: halt.signal }));
    return compressor.output;
  }

  /** A thrown error as the failure: its own code when it is a BackupError (e.g. OBJECT_EXISTS). */
  function failWith(error: unknown, code: ErrorCode, what: string): void {
    if (error instanceof BackupError) fail(error.code, error.message);
    else fail(code, `${what}: ${(error as Error)?.message ?? String(error)}`);
  }

  async function settle(): Promise<StreamedBackup> {
    const base = { bytesRead: dumpBytes(), bytesUploaded: hasher.bytes, exitCodes, stderrTail: tail.tail };
    if (!failure && digests) {
      const { crc32c, md5, sha256 } = digests;
      return { ok: true, ...base, crc32c, md5, sha256 };
    }
    failure ??= { code: 'INTERNAL', message: 'the backup ended without its hashes' };
    // Best effort: an unreachable service cannot finalize the object either.
    await cancelUploadSession(request.uploadUri).catch(() => {});
    return { ok: false, ...base, errorCode: failure.code, errorMessage: failure.message };
  }
}
