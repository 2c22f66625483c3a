// The canary `doctor` asks for: a small stream through the very chain a backup takes — a "dump" tool, pv, pv, the
// compressor, the hashes, the resumable upload — into a session the function opened under the canary folder. The
// dump tool is the agent's own Node.js runtime writing random text that ends with a mark naming this canary, so the
// path is proven without touching a database: spawning without a shell, the FIFOs, both pvs, the compressor, the
// mark check, the upload and its final hashes are a backup's.
import { randomUUID } from 'node:crypto';
import type { CanaryRequest } from '../../core/protocol.js';
import { finalText } from '../engines/dump-mark.js';
import type { DumpCommand } from '../engines/engine.js';
import type { AgentLog } from '../log/agent-log.js';
import type { CancelSession } from './cancel-session.js';
import { type StreamedBackup, type StreamSettings, streamBackup } from './stream-backup.js';

/**
 * About 1 MiB of random base64 lines, which no compressor shrinks to nothing, then the mark. Run with `node -e`:
 * process.argv[1] is the canary's id.
 */
const CANARY_SCRIPT = [
  "const { randomBytes } = require('node:crypto');",
  'const lines = [];',
  "for (let i = 0; i < 16384; i++) lines.push(randomBytes(48).toString('base64'));",
  "lines.push('-- db-backup canary ' + process.argv[1] + ' complete', '');",
  "process.stdout.write(lines.join('\\n'));",
].join('\n');

function canaryCommand(id: string): DumpCommand {
  return { file: process.execPath, args: ['-e', CANARY_SCRIPT, id], env: {}, secretFiles: [] };
}

/** Streams one canary into `request.uploadUri`; every failure is an outcome, its session cancelled. */
export type Canary = (request: CanaryRequest, signal: AbortSignal) => Promise<StreamedBackup>;

export function createCanary(settings: StreamSettings, cancelSession: CancelSession, log: AgentLog): Canary {
  return async (request, signal) => {
    const id = randomUUID();
    // pv shows the dump's newlines as dots: the mark is the canary's last line, naming this canary alone.
    const mark = finalText(
      `the canary ${id}'s mark`,
      new RegExp(`\\.-- db-backup canary ${id} complete\\.$`),
    );
    const result = await streamBackup({
      request,
      command: canaryCommand(id),
      mark,
      cancelSession: () => cancelSession({ uploadUri: request.uploadUri, objectName: `canary ${id}` }),
      settings,
      signal,
    });
    const fields = { canaryId: id, bytesUploaded: result.bytesUploaded, errorCode: result.errorCode };
    if (result.ok) log.info('canary.succeeded', `canary ${id} uploaded`, fields);
    else log.warning('canary.failed', `canary ${id} failed: ${result.errorMessage}`, fields);
    return result;
  };
}
