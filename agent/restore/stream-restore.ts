// One restore's stream: signed download → hashes checked as the bytes pass → age -d when encrypted → gunzip or zstd -d
// → the engine's filters (client commands refused) → the restore tool's stdin, whose end (and last bytes) wait for the
// hashes.
// Constant memory, no temporary files; it succeeds only when every byte was the object's and every process exited 0.

import { basename } from 'node:path';
import type { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupError, type ErrorCode } from '../../core/errors.js';
import type { CompressionAlgorithm } from '../../core/formats.js';
import type { RestoreStep } from '../engines/index.js';
import type { SourceClock } from '../jobs/stall-clock.js';
import type { Redact } from '../log/redact.js';
import type { RetryPolicy } from '../pipeline/retrying.js';
import { type RunningTool, spawnTool } from '../pipeline/spawn-tool.js';
import { StderrTail } from '../pipeline/stderr-tail.js';
import { watchTool } from '../pipeline/watch-tool.js';
import { startDecoder } from './decoder.js';
import { startDecompressor } from './decompressor.js';
import { type AgeIdentities, startDecryptor } from './decryptor.js';
import { download } from './download.js';
import { HoldUntilVerified } from './hold-until-verified.js';
import { Valve } from './valve.js';
import { type ExpectedObject, VerifyingStream } from './verify-hashes.js';

export interface RestoreProgress {
  bytesDownloaded: number;
  bytesRestored: number;
}

export interface StreamRestoreInput {
  url: string;
  expected: ExpectedObject;
  compression: CompressionAlgorithm;
  /** The object is age-encrypted (its name ends `.age`): decrypted with the agent's identity files first. */
  encrypted?: boolean;
  /** The restore tool, its secrets in place; it reads the dump on stdin. */
  command: RestoreStep;
  /**
   * A tool between the decompressor and the filters that turns the object into what the restore tool reads (a
   * binary log into statements); it may stop reading early (at its stop moment), the rest is then read and dropped.
   */
  decoder?: { step: RestoreStep; failure: ErrorCode };
  /** The engine's filters, fresh for this restore (restore-engine.ts). */
  filters: Transform[];
  /** Where the tools' stderr goes; one of its own when not given. */
  tail?: StderrTail;
  settings: RestoreToolSettings & { redact: Redact };
  /** Aborting stops everything; a BackupError reason gives the failure's code, else JOB_INTERRUPTED. */
  signal: AbortSignal;
  onProgress?: (progress: RestoreProgress) => void;
  /** Stopped while the download waits on the restore tool rather than on the network. */
  clock?: SourceClock;
}

/** The tools a restore runs and where its keys are: the same for every restore of the agent. */
export interface RestoreToolSettings {
  zstdPath: string;
  /** age and the identity files it decrypts with; an encrypted backup fails DECRYPT_WRONG_IDENTITY without. */
  decrypt?: AgeIdentities;
  retry: RetryPolicy;
  fetch?: typeof fetch;
}

export interface StreamRestoreOutcome extends RestoreProgress {
  ok: boolean;
  /** `restore`, `decrypt` when age ran, `decompress` when zstd ran, and `decode` when a decoder ran. */
  exitCodes: Record<string, number | null>;
  errorCode?: ErrorCode;
  errorMessage?: string;
  stderrTail: string[];
}

const PROGRESS_MS = 1000;

/** Never throws for a restore's failure: each one is an outcome with its code. */
export async function streamRestore(input: StreamRestoreInput): Promise<StreamRestoreOutcome> {
  const tail = input.tail ?? new StderrTail(20, input.settings.redact);
  const exitCodes: Record<string, number | null> = {};
  const verifier = new VerifyingStream(input.expected);
  const hold = new HoldUntilVerified(verifier.verdict);
  const stop = new AbortController();
  const tools: RunningTool[] = [];
  let failure: { code: ErrorCode; message: string } | undefined;
  let verdictError: BackupError | undefined;
  let valve: Valve | undefined;
  const fail = (code: ErrorCode, message: string, drain = false) => {
    // Killed before its input can end: the restore tool never reads the end of a dump that failed.
    for (const tool of tools) tool.child.kill('SIGKILL');
    if (failure) return;
    failure = { code, message };
    // After the decompressor or the tool failed, reading goes on (dropped) only to learn if the object was corrupt.
    if (drain) valve?.shut();
    else stop.abort();
  };
  const onAbort = () => {
    const reason: unknown = input.signal.reason;
    if (reason instanceof BackupError) fail(reason.code, reason.message);
    else fail('JOB_INTERRUPTED', 'the restore was stopped before it finished');
  };
  input.signal.addEventListener('abort', onAbort, { once: true });
  verifier.verdict.catch((error: Error) => {
    if (error instanceof BackupError && error.code === 'HASH_MISMATCH') verdictError = error;
    fail(error instanceof BackupError ? error.code : 'DOWNLOAD_FAILED', error.message);
  });
  const progress = setInterval(
    () => input.onProgress?.({ bytesDownloaded: verifier.bytes, bytesRestored: hold.bytes }),
    PROGRESS_MS,
  );
  progress.unref();

  const waits: Promise<unknown>[] = [];
  const watch = (tool: RunningTool, key: string, label: string, code: ErrorCode) => {
    tools.push(tool);
    // A tool that failed is not the object's fault: the download goes on (dropped) to tell.
    waits.push(watchTool(tool, key, label, { tail, exitCodes }, (message) => fail(code, message, true)));
  };

  try {
    if (input.signal.aborted) onAbort();
    if (!failure) {
      const label = basename(input.command.file);
      const tool = spawnTool(input.command, { stdin: 'pipe' });
      // What a restore tool prints on stdout (command tags, echoed rows) means nothing here; read and dropped, it
      // can never fill its pipe and stall the tool.
      tool.child.stdout?.resume();
      watch(tool, 'restore', label, 'RESTORE_FAILED');
      const decompressor = startDecompressor(input.compression, input.settings.zstdPath);
      if (decompressor.tool) watch(decompressor.tool, 'decompress', decompressor.label, 'DECOMPRESS_FAILED');
      for (const stream of new Set([decompressor.input, decompressor.output])) {
        stream.on('error', (error) =>
          fail('DECOMPRESS_FAILED', `${decompressor.label} failed: ${error.message}`, true),
        );
      }
      const decryptor = input.encrypted ? startDecryptor(input.settings.decrypt) : undefined;
      const decrypted: Promise<unknown>[] = [];
      if (decryptor) {
        const { tool: age, label: ageLabel } = decryptor;
        tools.push(age);
        // Its code is read from what it said, once it has said it all (its stderr closes before 'close').
        waits.push(
          watchTool(age, 'decrypt', ageLabel, { tail, exitCodes }, (message) =>
            fail(decryptor.failureCode(), message, true),
          ),
        );
        // A broken pipe to or from age only shows that it stopped: its exit code and its words say why.
        for (const stream of [decryptor.input, decryptor.output]) stream.on('error', () => {});
        // The decompressor's input ends only once age exited 0: what age wrote before it failed is no whole dump,
        // and gunzip's complaint about its end must not stand in for age's own.
        decrypted.push(
          pipeline(decryptor.output, decompressor.input, { signal: stop.signal, end: false })
            .then(() => age.closed)
            .then((code) => {
              if (code === 0) decompressor.input.end();
            }),
        );
      }
      const text = input.decoder
        ? startDecoder(input.decoder, watch, decompressor.output, stop.signal)
        : undefined;
      if (text) waits.push(text.fed);
      valve = new Valve(decryptor?.input ?? decompressor.input);
      const source = download({
        ...input.settings,
        url: input.url,
        expected: input.expected,
        signal: stop.signal,
        clock: input.clock,
      });
      const { filters } = input;
      for (const filter of filters) {
        // Heard before the pipeline closes the tool's input, so the tool is killed before it could read an end.
        filter.once('error', (error) =>
          fail(error instanceof BackupError ? error.code : 'RESTORE_FAILED', error.message, true),
        );
      }
      const stdin = tool.child.stdin as Writable;
      if (input.command.preamble) stdin.write(input.command.preamble);
      const streams = [text?.output ?? decompressor.output, ...filters, hold, stdin];
      const settled = await Promise.allSettled([
        pipeline(source, verifier, valve, { signal: stop.signal }),
        pipeline(streams as [Readable, ...Writable[]], { signal: stop.signal }),
        ...waits,
        ...decrypted,
      ]);
      const [read, feed] = settled;
      if (read?.status === 'rejected') {
        const error = read.reason as Error;
        fail(error instanceof BackupError ? error.code : 'DOWNLOAD_FAILED', error.message);
      }
      if (feed?.status === 'rejected') {
        fail('RESTORE_FAILED', `${label} stopped reading the dump: ${(feed.reason as Error).message}`, true);
      }
    }
  } catch (error) {
    fail(error instanceof BackupError ? error.code : 'INTERNAL', (error as Error).message);
    await Promise.allSettled(waits);
  } finally {
    clearInterval(progress);
    input.signal.removeEventListener('abort', onAbort);
  }

  // The object's own corruption explains whatever broke downstream of it.
  if (verdictError && failure?.code !== 'JOB_TIMEOUT' && failure?.code !== 'JOB_CANCELLED') {
    failure = { code: 'HASH_MISMATCH', message: verdictError.message };
  }
  const base = {
    bytesDownloaded: verifier.bytes,
    bytesRestored: hold.bytes,
    exitCodes,
    stderrTail: tail.tail,
  };
  if (failure) return { ok: false, ...base, errorCode: failure.code, errorMessage: failure.message };
  return { ok: true, ...base };
}
