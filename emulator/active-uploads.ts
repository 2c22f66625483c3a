// What the emulator holds in memory about resumable sessions being written: their running hash and their turn.
import { RunningHash } from './running-hash.js';
import type { BlobStore } from './store/blob-store.js';

export class ActiveUploads {
  private readonly hashes = new Map<string, RunningHash>();
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: BlobStore,
    private readonly unit: number,
  ) {}

  /**
   * Runs `work` after every earlier request to session `id` has finished, so a retry never races the
   * clean-up of the broken request it replaces.
   */
  inTurn<T>(id: string, work: () => Promise<T>): Promise<T> {
    const run = (this.turns.get(id) ?? Promise.resolve()).then(work);
    const settled = run.catch(() => undefined);
    this.turns.set(id, settled);
    void settled.then(() => {
      if (this.turns.get(id) === settled) this.turns.delete(id);
    });
    return run;
  }

  /**
   * The running hash of the `length` bytes staged for session `id`. Only when it was lost (the emulator
   * restarted with the session open) or no longer matches the stored bytes are they read back and hashed.
   */
  async hashOf(id: string, length: number): Promise<RunningHash> {
    const kept = this.hashes.get(id);
    if (kept?.size === length) return kept;
    const hash = await RunningHash.of(this.store.readStaged(id), this.unit);
    this.hashes.set(id, hash);
    return hash;
  }

  /** Winds the running hash back with staged bytes cut back to `length`, or drops it where no checkpoint is. */
  rewind(id: string, length: number): void {
    const kept = this.hashes.get(id);
    if (kept && !kept.rewind(length)) this.hashes.delete(id);
  }

  /** Drops the running hash of a session that finished, failed or was cancelled. */
  forget(id: string): void {
    this.hashes.delete(id);
  }
}
