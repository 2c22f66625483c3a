// gzip on every core without pigz: the input cut into blocks, each deflated as its own gzip member on libuv's worker
// threads, the members written in order. Concatenated members are one valid .gz (RFC 1952 §2.2) for gunzip and gzip -t.

import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/**
 * Each member restarts deflate's 32 KiB window, so blocks much larger than the window cost almost nothing in ratio
 * (well under 1 %); in flight are at most `parallelism + 1` blocks, so memory stays a few MiB whatever the dump.
 */
const MEMBER_BYTES = 1024 * 1024;

/** libuv's worker threads, which run zlib's one-shot calls: 4 unless UV_THREADPOOL_SIZE says otherwise. */
function workerThreads(): number {
  return Number(process.env.UV_THREADPOOL_SIZE) || 4;
}

export interface GzipMembersOptions {
  level: number;
  /** Blocks deflated at once: one per core, but no more than there are worker threads to run them. */
  parallelism?: number;
  blockBytes?: number;
}

export class GzipMembers extends Transform {
  private readonly level: number;
  private readonly parallelism: number;
  private readonly blockBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private wroteAny = false;
  /** Members being deflated, oldest first: they are pushed in this order whatever order they finish in. */
  private readonly inFlight: Promise<Buffer>[] = [];

  constructor(options: GzipMembersOptions) {
    super({ readableHighWaterMark: MEMBER_BYTES });
    this.level = options.level;
    this.parallelism = options.parallelism ?? Math.min(availableParallelism(), workerThreads());
    this.blockBytes = options.blockBytes ?? MEMBER_BYTES;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.blockBytes) this.startMember();
    // One more block than cores keeps every core busy while the oldest member is handed on.
    if (this.inFlight.length > this.parallelism) this.pushOldest().then(() => callback(), callback);
    else callback();
  }

  override _flush(callback: TransformCallback): void {
    // An empty input still gets one (empty) member: a zero-byte file is not a valid .gz.
    if (this.pendingBytes > 0 || !this.wroteAny) this.startMember();
    const drain = async () => {
      while (this.inFlight.length > 0) await this.pushOldest();
    };
    drain().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Members still deflating finish on their own; nobody is waiting for them any more.
    for (const member of this.inFlight.splice(0)) member.catch(() => {});
    callback(error);
  }

  private startMember(): void {
    const block = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.wroteAny = true;
    const member = gzipAsync(block, { level: this.level });
    // Handled when it reaches the head of the queue; until then a rejection must not count as unhandled.
    member.catch(() => {});
    this.inFlight.push(member);
  }

  private async pushOldest(): Promise<void> {
    const member = await (this.inFlight[0] as Promise<Buffer>);
    this.inFlight.shift();
    this.push(member);
  }
}
