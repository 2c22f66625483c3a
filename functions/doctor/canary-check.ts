// The canary of one agent: the function opens a create-only session under the canary folder (never a backup's
// name), the agent streams a canary into it through a backup's own chain, and the function proves the object as it
// proves a backup — its size, CRC32C and MD5 against the agent's signed account. Lifecycle deletes canaries a day
// later (terraform/bucket.tf).
import type { Compression } from '../../core/compression.js';
import { errorCodeOf } from '../../core/errors.js';
import type { CanaryResult } from '../../core/protocol.js';
import { AgentError } from '../agent/agent-error.js';
import type { FunctionConfig } from '../config/schema.js';
import { findMismatch } from '../object/prove-object.js';
import type { FunctionDeps } from '../run/deps.js';
import { getObject, openSession } from '../storage/objects.js';
import { type DoctorCheck, failed, passed } from './report.js';

/** The folder canaries go to, after the prefix; no backup's name can begin with `_` (core/validate-name.ts). */
export const CANARY_FOLDER = '_canary/';

const CONTENT_TYPE = { gzip: 'application/gzip', zstd: 'application/zstd' } as const;

const ROUTE_FIX =
  "the agent cannot reach Cloud Storage: its route check says why; on the VM, `getent ahostsv4 storage.googleapis.com` must print only private.googleapis.com's addresses (199.36.153.8/30, the module's private DNS zone), which the agent's unit admits";

/** `<prefix>_canary/<host>_<time>.canary`: one object per agent and check, never a name a backup could take. */
function canaryName(prefix: string, host: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${prefix}${CANARY_FOLDER}${host.replace(/[^A-Za-z0-9.-]/g, '-')}_${stamp}.canary`;
}

function describeChain(compression: Compression): string {
  return `dump → pv → pv → ${compression.algorithm === 'gzip' ? 'pigz' : 'zstd'}`;
}

function agentRefusal(error: unknown, config: FunctionConfig): string {
  if (error instanceof AgentError && error.context.agentCode === 'DESTINATION_REFUSED') {
    return `agent.json's uploads must admit this upload: uploads.buckets must hold "${config.bucket}" and uploads.origin be the storage origin (https://storage.googleapis.com), then \`systemctl restart db-backup-agent\``;
  }
  return `install the agent of the function's version (its release archive), then \`systemctl restart db-backup-agent\``;
}

function failedStream(subject: string, result: CanaryResult): DoctorCheck {
  const detail = `${result.errorCode}: ${result.errorMessage}${result.stderrTail.length ? ` (${result.stderrTail.join(' | ')})` : ''}`;
  const fix =
    result.errorCode === 'UPLOAD_FAILED'
      ? ROUTE_FIX
      : 'a tool of the backup chain failed on the VM: `sudo ./install.sh <engine>` installs pv, pigz and zstd; `--check-config` names what is missing';
  return failed(subject, 'canary', detail, fix);
}

export async function canaryCheck(
  config: FunctionConfig,
  deps: FunctionDeps,
  agentUrl: string,
): Promise<DoctorCheck> {
  const subject = new URL(agentUrl).host;
  const compression: Compression = config.targets.find((target) => target.agentUrl === agentUrl)
    ?.compression ?? { algorithm: 'gzip' };
  const name = canaryName(config.prefix, subject, deps.clock.now());
  const bucket = deps.storage.bucket(config.bucket);
  let uploadUri: string;
  try {
    const session = await openSession(bucket, name, {
      force: false,
      contentType: CONTENT_TYPE[compression.algorithm],
      metadata: { canary: 'doctor', agent: subject },
    });
    if (session.kind !== 'created')
      return failed(subject, 'canary', `${name} exists already`, 'run doctor again');
    uploadUri = session.uri;
  } catch (error) {
    return failed(
      subject,
      'canary',
      (error as Error).message,
      `the functions' service account must be able to create objects in ${config.bucket}: \`terraform apply\` grants it`,
    );
  }
  let result: CanaryResult;
  try {
    result = await deps.agent.canary(agentUrl, { uploadUri, compression });
  } catch (error) {
    return failed(
      subject,
      'canary',
      `${errorCodeOf(error)}: ${(error as Error).message}`,
      agentRefusal(error, config),
    );
  }
  if (!result.ok) return failedStream(subject, result);
  const info = await getObject(bucket, name);
  const mismatch = info ? findMismatch(info, result) : `${name} is not in the bucket`;
  if (mismatch) {
    return failed(
      subject,
      'canary',
      `not proven: ${mismatch}`,
      'the object in the bucket is not what the agent sent: look for a proxy rewriting uploads between the VM and storage',
    );
  }
  return passed(
    subject,
    'canary',
    `${result.bytesRead} bytes through ${describeChain(compression)}, ${name} (${result.bytesUploaded} bytes): size, CRC32C and MD5 as the agent signed them`,
  );
}
