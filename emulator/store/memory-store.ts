// Blobs held in memory, for tests that want no files; uploads are buffered whole.
import { Readable } from 'node:stream';
import type { BlobStore } from './blob-store.js';

export class MemoryStore implements BlobStore {
  private readonly staged = new Map<string, Buffer[]>();
  private readonly committed = new Map<string, Buffer>();
  private catalog: string | undefined;

  async append(id: string, body: Readable): Promise<void> {
    const chunks = this.staged.get(id) ?? [];
    this.staged.set(id, chunks);
    // Chunks are kept as they arrive so a body that breaks off leaves what was received, as on disk.
    for await (const chunk of body) chunks.push(chunk as Buffer);
  }

  async stagedLength(id: string): Promise<number> {
    return (this.staged.get(id) ?? []).reduce((sum, chunk) => sum + chunk.length, 0);
  }

  async truncate(id: string, length: number): Promise<void> {
    const whole = Buffer.concat(this.staged.get(id) ?? []);
    this.staged.set(id, [whole.subarray(0, length)]);
  }

  readStaged(id: string): Readable {
    return Readable.from(this.staged.get(id) ?? []);
  }

  async listStaged(): Promise<string[]> {
    return [...this.staged.keys()];
  }

  async discardStaged(id: string): Promise<void> {
    this.staged.delete(id);
  }

  async commit(id: string): Promise<void> {
    this.committed.set(id, Buffer.concat(this.staged.get(id) ?? []));
    this.staged.delete(id);
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    const bytes = this.committed.get(id);
    if (!bytes) throw new Error(`blob ${id} is missing`);
    return Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]);
  }

  async remove(id: string): Promise<void> {
    this.committed.delete(id);
  }

  async loadCatalog(): Promise<string | undefined> {
    return this.catalog;
  }

  async saveCatalog(json: string): Promise<void> {
    this.catalog = json;
  }
}
