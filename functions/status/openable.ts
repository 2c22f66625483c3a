// Whether a database's newest good backup opens on its agent: the recipients in the object's metadata (fingerprints)
// against those the agent's identities open, asked once per agent by a signed call. The function sees no key.
import { errorCodeOf } from '../../core/errors.js';
import type { Identities } from '../../core/protocol.js';
import type { AgentClient } from '../agent/agent-client.js';
import type { Target } from '../config/schema.js';
import { ENCRYPTED_FOR_KEY, isGoodBackup } from '../object/good-backup.js';
import type { TargetBackup } from '../storage/target-backups.js';
import type { Problem } from './judge-target.js';

export type OpenableCheck = (
  target: Target,
  backups: readonly TargetBackup[],
) => Promise<Problem | undefined>;

export function createOpenableCheck(agent: AgentClient): OpenableCheck {
  const asked = new Map<string, Promise<Identities>>();
  return async (target, backups) => {
    const good = backups.find((backup) => isGoodBackup(backup.info));
    const encryptedFor = good?.info.metadata[ENCRYPTED_FOR_KEY];
    // A plain backup opens anywhere; so does a target with no good backup, a problem of its own already.
    if (!good || !encryptedFor) return undefined;
    const identities = asked.get(target.agentUrl) ?? agent.identities(target.agentUrl);
    asked.set(target.agentUrl, identities);
    let opened: Identities;
    try {
      opened = await identities;
    } catch (error) {
      return {
        code: errorCodeOf(error),
        message: `cannot ask the agent which identities it holds, to know whether it opens ${good.info.name}: ${(error as Error).message}`,
      };
    }
    const recipients = encryptedFor.split(' ');
    if (recipients.some((recipient) => opened.recipients.includes(recipient))) return undefined;
    return {
      code: 'BACKUP_UNOPENABLE',
      message: `${good.info.name} is encrypted for ${recipients.join(', ')}, and no identity its agent holds opens it: a restore or drill would fail DECRYPT_WRONG_IDENTITY; list the identity in agent.json "identityFiles", or take a fresh backup with db-backup run --force ${target.database}`,
    };
  };
}
