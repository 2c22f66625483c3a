// The tool between a restore's decompressor and its filters that turns the object into what the restore tool reads
// (mariadb-binlog turning a binary log into statements), stopping where it is told to.
import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ErrorCode } from '../../core/errors.js';
import type { RestoreStep } from '../engines/index.js';
import { type RunningTool, spawnTool } from '../pipeline/spawn-tool.js';
import { Valve } from './valve.js';

/**
 * The decoder fed the decompressed object through a valve that drops what comes after it stopped reading, so the
 * object is still read to its end and its hashes learnt; its own exit code says whether it stopped well.
 */
export function startDecoder(
  decoder: { step: RestoreStep; failure: ErrorCode },
  watch: (tool: RunningTool, key: string, label: string, code: ErrorCode) => void,
  from: Readable,
  signal: AbortSignal,
): { output: Readable; fed: Promise<void> } {
  const tool = spawnTool(decoder.step, { stdin: 'pipe' });
  watch(tool, 'decode', basename(decoder.step.file), decoder.failure);
  const stdin = tool.child.stdin as Writable;
  const valve = new Valve(stdin);
  const shut = () => valve.shut();
  stdin.on('error', shut);
  stdin.on('close', shut);
  return { output: tool.child.stdout as Readable, fed: pipeline(from, valve, { signal }) };
}
