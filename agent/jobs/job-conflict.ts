// The refusal of a job for a target another job holds, shared by backups and restores: it names each holder, so the
// function can tell a run it may wait for (the same object) from one it must report.
import { BackupError } from '../../core/errors.js';
import type { BusyJob } from '../../core/protocol.js';

/** A target asked for while one of its jobs (a backup or a restore) holds it: names every such job. */
export class JobConflictError extends BackupError {
  constructor(readonly busy: BusyJob[]) {
    super(
      'JOB_CONFLICT',
      busy
        .map((job) => `target "${job.targetId}" already has job ${job.jobId} (run ${job.runId})`)
        .join('; '),
    );
  }
}
