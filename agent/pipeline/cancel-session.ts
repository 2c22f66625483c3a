// Ending an upload session the agent will not finish: whatever failed, nobody may finalize it with other bytes. A
// session that does not confirm its end (Cloud Storage answers 499) stays a capability for its object for up to a
// week, so that is logged — with the object's name, never the session URI, which is the capability itself.
import type { JobRequest } from '../../core/protocol.js';
import { cancelUploadSession, SESSION_CANCELLED } from '../../core/upload-session.js';
import type { AgentLog } from '../log/agent-log.js';

/** Never throws: the job's own outcome stands whatever the cancel does. */
export type CancelSession = (session: Pick<JobRequest, 'uploadUri' | 'objectName'>) => Promise<void>;

export function createSessionCanceller(log: AgentLog): CancelSession {
  return async ({ uploadUri, objectName }) => {
    const warn = (why: string) =>
      log.warning(
        'session.cancel-unconfirmed',
        `the upload session for ${objectName} ${why}: it may still be open`,
        {
          objectName,
        },
      );
    try {
      const status = await cancelUploadSession(uploadUri);
      if (status !== SESSION_CANCELLED)
        warn(`answered its cancel with HTTP ${status}, not ${SESSION_CANCELLED}`);
    } catch (error) {
      warn(`could not be cancelled (${(error as Error).message})`);
    }
  };
}
