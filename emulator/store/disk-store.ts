// Blobs kept as files under a data folder, so objects and resumable sessions survive a restart.
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStore } from './blob-store.js';

const CATALOG_FILE = 'catalog.json';

export class DiskStore implements BlobStore {
  private readonly stagingDir: string;
  private readonly objectsDir: string;

  private constructor(private readonly dataDir: string) {
    // Staging lives inside the data folder so finalizing is a rename on the same file system.
    this.stagingDir = join(dataDir, 'staging');
    this.objectsDir = join(dataDir, 'objects');
  }

  static async open(dataDir: string): Promise<DiskStore> {
    const store = new DiskStore(dataDir);
    await mkdir(store.stagingDir, { recursive: true });
    await mkdir(store.objectsDir, { recursive: true });
    return store;
  }

  async append(id: string, body: Readable): Promise<void> {
    // Each chunk is written before the next is read: memory stays bounded whatever the upload's size,
    // and a body that breaks off leaves exactly the chunks that came before on disk.
    const file = await open(this.staged(id), 'a');
    try {
      for await (const chunk of body) await file.write(chunk as Buffer);
    } finally {
      await file.close();
    }
  }

  async stagedLength(id: string): Promise<number> {
    try {
      return (await stat(this.staged(id))).size;
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
  }

  async truncate(id: string, length: number): Promise<void> {
    await truncate(this.staged(id), length);
  }

  readStaged(id: string): Readable {
    return createReadStream(this.staged(id));
  }

  async listStaged(): Promise<string[]> {
    return readdir(this.stagingDir);
  }

  async discardStaged(id: string): Promise<void> {
    await rm(this.staged(id), { force: true });
  }

  async commit(id: string): Promise<void> {
    await rename(this.staged(id), this.committed(id));
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.committed(id), range);
  }

  async remove(id: string): Promise<void> {
    await rm(this.committed(id), { force: true });
  }

  async loadCatalog(): Promise<string | undefined> {
    try {
      return await readFile(join(this.dataDir, CATALOG_FILE), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async saveCatalog(json: string): Promise<void> {
    const temporary = join(this.dataDir, `${CATALOG_FILE}.tmp`);
    await writeFile(temporary, json);
    await rename(temporary, join(this.dataDir, CATALOG_FILE));
  }

  private staged(id: string): string {
    return join(this.stagingDir, id);
  }

  private committed(id: string): string {
    return join(this.objectsDir, id);
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
