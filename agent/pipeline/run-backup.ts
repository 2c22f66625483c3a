// One backup: dump tool → compressor → hashes → resumable upload, finalized only after every process exited 0.

import { basename } from 'node:path';
import { type Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { ErrorCode } from '../../core/errors.js';
import type { JobRequest } from '../../core/protocol.js';
import { cancelUploadSession } from '../../core/upload-session.js';
import { dumpCommandFor, type TargetConfig } from '../engines/index.js';
import { type Compressor, startCompressor } from './compressor.js';
import { CountingStream, HashingStream } from './hasher.js';
import { type RunningTool, spawnTool } from './spawn-tool.js';
import { StderrTail } from './stderr-tail.js';
import { CHUNK_QUANTUM, DEFAULT_CHUNK_SIZE, openSessionUpload } from './upload.js';

export interface BackupOutcome {
  ok: boolean;
  /** Bytes read from the dump tool's stdout. */
  bytesRead: number;
  /** Bytes of the compressed stream handed to storage: the object's size on success. */
  bytesUploaded: number;
  /** Of the uploaded bytes, on success: crc32c and md5 base64 (as Cloud Storage shows them), sha256 hex. */
  crc32c?: string;
  md5?: string;
  sha256?: string;
  /** `dump`, and `compress` when zstd ran; null when killed by a signal or never started. */
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

export interface RunBackupInput {
  request: JobRequest;
  target: TargetConfig;
  password?: string;
  /** The zstd executable, for requests asking for zstd; `zstd` on PATH by default. */
  zstdPath?: string;
  /** Upload chunk size, a multiple of 256 KiB; memory use is about twice this whatever the database's size. */
  chunkSize?: number;
  /** Upload retries over the whole backup (5xx, 429, dropped connections); 10 by default. */
  maxUploadRetries?: number;
  /** Aborting stops the tools, cancels the session and settles with JOB_INTERRUPTED. */
  signal?: AbortSignal;
  /** Called about once a second while bytes flow. */
  onProgress?: (progress: BackupProgress) => void;
}

const STDERR_LINES = 20;
const PROGRESS_MS = 1000;

function describeExit(label: string, tool: RunningTool, code: number | null): string {
  return code === null
    ? `${label} was killed by ${tool.child.signalCode ?? 'a signal'}`
    : `${label} exited with code ${code}`;
}

/**
 * Forwards into the upload without ever ending it: ending it is what finalizes the object. It buffers up to one
 * chunk, so compression carries on while a chunk is in flight instead of waiting for each answer.
 */
function forwardInto(upload: Writable, chunkSize: number): Writable {
  return new Writable({
    highWaterMark: chunkSize,
    write: (chunk, _encoding, callback) => upload.write(chunk, callback),
  });
}

/** Never throws for a backup failure: every failure is an outcome with its code, and the session is cancelled. */
export async function runBackup(input: RunBackupInput): Promise<BackupOutcome> {
  const { request, target, password } = input;
  const tail = new StderrTail(STDERR_LINES, password ? [password] : []);
  const exitCodes: Record<string, number | null> = {};
  const counter = new CountingStream();
  const hasher = new HashingStream();
  let failure: { code: ErrorCode; message: string } | undefined;
  const settle = async (): Promise<BackupOutcome> => {
    const base = { bytesRead: counter.bytes, bytesUploaded: hasher.bytes, exitCodes, stderrTail: tail.tail };
    if (!failure) {
      const { crc32c, md5, sha256 } = hasher.digests();
      return { ok: true, ...base, crc32c, md5, sha256 };
    }
    // Best effort: an unreachable service cannot finalize the object either.
    await cancelUploadSession(request.uploadUri).catch(() => {});
    return { ok: false, ...base, errorCode: failure.code, errorMessage: failure.message };
  };

  const chunkSize = input.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize <= 0 || chunkSize % CHUNK_QUANTUM !== 0) {
    failure = {
      code: 'CONFIG_INVALID',
      message: `chunkSize ${chunkSize} must be a positive multiple of 262144 (256 KiB)`,
    };
    return settle();
  }

  const stop = new AbortController();
  const tools: RunningTool[] = [];
  const upload = openSessionUpload({
    uri: request.uploadUri,
    objectName: request.objectName,
    chunkSize,
    maxRetries: input.maxUploadRetries,
  });
  const fail = (code: ErrorCode, message: string) => {
    if (failure) return;
    failure = { code, message };
    stop.abort();
    for (const tool of tools) tool.kill();
    upload.destroy();
  };
  upload.on('error', (error) => fail('UPLOAD_FAILED', `upload failed: ${error.message}`));
  const onAbort = () => fail('JOB_INTERRUPTED', 'the backup was stopped before it finished');
  input.signal?.addEventListener('abort', onAbort, { once: true });
  const progress = setInterval(
    () => input.onProgress?.({ bytesRead: counter.bytes, bytesUploaded: hasher.bytes }),
    PROGRESS_MS,
  );
  progress.unref();

  const waits: Promise<unknown>[] = [];
  /** Follows a tool: its stderr into the tail, its exit code into `exitCodes`, a bad exit into a failure. */
  const watch = (tool: RunningTool, key: string, label: string, code: ErrorCode) => {
    tools.push(tool);
    tool.child.stderr?.on('data', (chunk: Buffer) => tail.write(chunk, label));
    tool.child.stderr?.on('end', () => tail.end(label));
    exitCodes[key] = null;
    waits.push(
      tool.closed.then(
        (exit) => {
          exitCodes[key] = exit;
          if (exit !== 0) fail(code, describeExit(label, tool, exit));
        },
        (error: Error) => fail(code, `cannot start ${label}: ${error.message}`),
      ),
    );
  };

  try {
    if (input.signal?.aborted) {
      onAbort();
      return await settle();
    }
    const command = dumpCommandFor(target, password);
    const dump = spawnTool(command);
    const dumpLabel = basename(command.file);
    watch(dump, 'dump', dumpLabel, 'DUMP_FAILED');
    const compressor: Compressor = startCompressor(request.compression, input.zstdPath ?? 'zstd');
    for (const stream of compressor.streams) {
      stream.on('error', (error) => fail('COMPRESS_FAILED', `compression failed: ${error.message}`));
    }
    // A zstd that exits early has its stdin destroyed by Node without an error; without this the pipeline would
    // blame the dump's stdout for the premature close before zstd's exit code arrives.
    const compressorLabel = compressor.tool ? basename(input.zstdPath ?? 'zstd') : 'gzip';
    compressor.input.on('close', () => {
      if (!compressor.input.writableFinished) {
        fail('COMPRESS_FAILED', `${compressorLabel} stopped reading before the dump ended`);
      }
    });
    if (compressor.tool) watch(compressor.tool, 'compress', compressorLabel, 'COMPRESS_FAILED');
    const stdout = dump.child.stdout as Readable;
    stdout.on('error', (error) => fail('DUMP_FAILED', `reading ${dumpLabel} failed: ${error.message}`));
    const streams = [
      pipeline(stdout, counter, compressor.input, { signal: stop.signal }),
      pipeline(compressor.output, hasher, forwardInto(upload, chunkSize), { signal: stop.signal }),
    ];
    const results = await Promise.allSettled([...streams, ...waits]);
    const broken = results.find((result) => result.status === 'rejected');
    if (broken) {
      fail('INTERNAL', `the backup stream broke: ${String((broken as PromiseRejectedResult).reason)}`);
    }
    if (!failure && counter.bytes === 0) {
      // Every supported tool writes a header even for an empty database: no output at all is a failure in disguise.
      fail('DUMP_FAILED', `${dumpLabel} exited 0 but wrote nothing; an empty dump is not a backup`);
    }
    if (!failure) {
      // The dump tool and the compressor both exited 0 and every byte is in the upload: only now may it finalize.
      upload.end();
      await finished(upload).catch((error: Error) =>
        fail('UPLOAD_FAILED', `upload failed: ${error.message}`),
      );
    }
  } catch (error) {
    fail('INTERNAL', `the backup could not run: ${(error as Error).message}`);
    await Promise.allSettled(waits);
  } finally {
    clearInterval(progress);
    input.signal?.removeEventListener('abort', onAbort);
  }
  return settle();
}
