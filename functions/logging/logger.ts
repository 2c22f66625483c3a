// Structured log lines in Cloud Logging's format on a stream (stdout on Cloud Run), formatted by the library's Entry.
import type { Writable } from 'node:stream';
import { Entry } from '@google-cloud/logging';

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** Labels are indexed by Cloud Logging (`labels.runId="…"`); the rest is the entry's JSON payload. */
export interface LogFields {
  runId?: string;
  targetId?: string;
  database?: string;
  object?: string;
  bytes?: number;
  durationMs?: number;
  errorCode?: string;
  stderrTail?: readonly string[];
  [field: string]: unknown;
}

export interface Logger {
  log(severity: Severity, event: string, message: string, fields?: LogFields): void;
}

const LABEL_FIELDS = ['runId', 'targetId', 'database'] as const;

export interface CloudLoggerOptions {
  stream?: Writable;
  /** Fills `logName`; Cloud Run's log agent adds the resource itself. */
  project?: string;
  logName?: string;
}

/**
 * The lines `Logging#logSync(name, stdout)` writes, without its `Logging` client: constructing that client
 * builds gRPC stubs that look for Application Default Credentials and probe the GCE metadata server, i.e.
 * network traffic at start-up. `Entry#toStructuredJSON` is the same formatter LogSync uses, and is pure.
 */
export function createCloudLogger(options: CloudLoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stdout;
  const project = options.project ?? '';
  const logName = `projects/${project || '{{projectId}}'}/logs/${options.logName ?? 'db-backup'}`;
  return {
    log(severity, event, message, fields = {}) {
      const labels: Record<string, string> = {};
      const payload: Record<string, unknown> = { message, event };
      for (const [key, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        if ((LABEL_FIELDS as readonly string[]).includes(key)) labels[key] = String(value);
        else payload[key] = value;
      }
      const entry = new Entry({ severity, labels, timestamp: new Date() }, payload).toStructuredJSON(
        project,
        false,
      );
      stream.write(`${JSON.stringify({ ...entry, logName })}\n`);
    },
  };
}
