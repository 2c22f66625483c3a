// Job state on disk: one JSON file per job under <stateDir>/jobs (backups) or <stateDir>/restores, each write atomic
// (temp file, fsync, rename), so a crash leaves either the old state or the new one, never half a file.
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { type JobStatus, jobStatusSchema } from '../../core/protocol.js';

export interface StateStore<T extends { jobId: string }> {
  /** Every job on disk that parses; `onUnreadable` hears about the rest. */
  loadAll(onUnreadable: (file: string, error: Error) => void): Promise<T[]>;
  /** Writes the job's state; writes of one job land in the order they were asked for. */
  save(status: T): Promise<void>;
  /** Deletes a finished job's file. */
  remove(jobId: string): Promise<void>;
}

export type JobStore = StateStore<JobStatus>;

const SUFFIX = '.json';

export function createJobStore(stateDir: string): Promise<JobStore> {
  return createStateStore(join(stateDir, 'jobs'), jobStatusSchema);
}

/** A store of one kind of job state in `dir`, each file checked against `schema` when read back. */
export async function createStateStore<T extends { jobId: string }>(
  dir: string,
  schema: z.ZodType<T>,
): Promise<StateStore<T>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pending = new Map<string, Promise<void>>();
  let sequence = 0;

  const write = async (status: T): Promise<void> => {
    const target = join(dir, `${status.jobId}${SUFFIX}`);
    const temp = `${target}.${process.pid}.${++sequence}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(status, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  };

  return {
    async loadAll(onUnreadable) {
      const jobs: T[] = [];
      for (const name of await readdir(dir)) {
        const file = join(dir, name);
        if (name.endsWith('.tmp')) {
          // A write cut off before its rename: the job's previous file still holds its state.
          await rm(file, { force: true });
          continue;
        }
        if (!name.endsWith(SUFFIX)) continue;
        try {
          jobs.push(schema.parse(JSON.parse(await readFile(file, 'utf8'))));
        } catch (error) {
          onUnreadable(file, error as Error);
        }
      }
      return jobs;
    },
    remove: (jobId) => rm(join(dir, `${jobId}${SUFFIX}`), { force: true }),
    save(status) {
      const snapshot = structuredClone(status);
      const previous = pending.get(status.jobId) ?? Promise.resolve();
      const next = previous.catch(() => {}).then(() => write(snapshot));
      pending.set(status.jobId, next);
      void next
        .finally(() => {
          if (pending.get(status.jobId) === next) pending.delete(status.jobId);
        })
        .catch(() => {});
      return next;
    },
  };
}
