// The watchdog's part in proof: a backup checked before attestations existed (or attested by a key no longer
// trusted) carries none, and is left out of restores, drills, retention and `list`. While its agent still holds
// the signed record of the job that wrote it, that record proves it — as it proves the day's backup — and the
// function attests it then. What nothing proves stays left out, and is named in an alerting line every morning.

import { errorCodeOf } from '../../core/errors.js';
import type { Target } from '../config/schema.js';
import { errorFailure } from '../run/failure.js';
import { updateObject } from '../storage/update-object.js';
import type { VerifyContext } from '../verify/verify-context.js';
import { attest } from './attestation.js';
import { binlogMetadata } from './binlog-metadata.js';
import { proveObject } from './prove-object.js';
import { listProvenBackups, reportUnproven, type UnprovenBackup } from './proven-backups.js';

export async function attestEarlier(ctx: VerifyContext, target: Target): Promise<void> {
  const { config, deps } = ctx;
  const fields = { runId: ctx.runId, targetId: target.id, database: target.database };
  const now = deps.clock.now();
  let unproven: UnprovenBackup[];
  try {
    ({ unproven } = await listProvenBackups(ctx.bucket, config, target, now));
  } catch (error) {
    deps.logger.event(
      'object.attest-failed',
      `could not list ${target.id}'s backups to attest: ${(error as Error).message}`,
      {
        ...fields,
        errorCode: errorFailure(error).code,
      },
    );
    return;
  }
  const left: UnprovenBackup[] = [];
  /** Why the agent cannot be asked: once it did not answer, the rest wait for the next morning. */
  let away: string | undefined;
  for (const item of unproven) {
    const { info, date } = item.backup;
    if (!item.attestable || away) {
      left.push(away && item.attestable ? { ...item, why: `${item.why}; ${away}` } : item);
      continue;
    }
    try {
      const job = await proveObject(ctx.agent, target, info, { date, timeZone: config.timeZone });
      // The position it starts from is the job's word, signed with it.
      const position = binlogMetadata(job.binlog, info.metadata);
      const attestation = attest(config.bucket, info, config.signingKey, now, position);
      await updateObject(ctx.bucket, info, { metadata: { ...position, ...attestation } });
      deps.logger.event('object.attested', `${info.name} is proven by job ${job.jobId}: attested`, {
        ...fields,
        object: info.name,
        generation: info.generation,
        jobId: job.jobId,
      });
    } catch (error) {
      left.push({ ...item, why: `${item.why}; ${(error as Error).message}` });
      if (errorCodeOf(error) === 'AGENT_UNREACHABLE') away = 'its agent could not be reached to prove it';
    }
  }
  reportUnproven(deps.logger, left, fields);
}
