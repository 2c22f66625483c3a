// Following a running tool for a backup or a restore: its stderr into the job's tail, its exit code into the job's
// record, and anything but exit 0 — a code, a signal, a tool that would not start — into one failure message.
import type { RunningTool } from './spawn-tool.js';
import type { StderrTail } from './stderr-tail.js';

export interface ToolRecord {
  /** Where its stderr goes; none when the caller reads the tool's stderr itself. */
  tail?: StderrTail;
  /** By the tool's key: null while it runs, or when a signal killed it. */
  exitCodes: Record<string, number | null>;
}

function describeExit(label: string, tool: RunningTool, code: number | null): string {
  return code === null
    ? `${label} was killed by ${tool.child.signalCode ?? 'a signal'}`
    : `${label} exited with code ${code}`;
}

/**
 * Resolves once the tool has ended; `onFailure` hears why, unless it exited 0. `brokenPipe`: SIGPIPE killed it, so
 * whatever read its output went first, and the cause lies there.
 */
export function watchTool(
  tool: RunningTool,
  key: string,
  label: string,
  record: ToolRecord,
  onFailure: (message: string, brokenPipe: boolean) => void,
): Promise<void> {
  const { tail } = record;
  if (tail) {
    tool.child.stderr?.on('data', (chunk: Buffer) => tail.write(chunk, label));
    tool.child.stderr?.on('end', () => tail.end(label));
  }
  record.exitCodes[key] = null;
  return tool.closed.then(
    (exit) => {
      record.exitCodes[key] = exit;
      if (exit !== 0) onFailure(describeExit(label, tool, exit), tool.child.signalCode === 'SIGPIPE');
    },
    (error: Error) => onFailure(`cannot start ${label}: ${error.message}`, false),
  );
}
