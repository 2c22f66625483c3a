// Structured log lines in Cloud Logging's format, one JSON object per line on stdout, which Cloud Run's agent reads
// as the entry. Formatted here in a few lines instead of through @google-cloud/logging, whose import alone (gRPC,
// google-gax, protobufjs) added hundreds of milliseconds to every cold start for one formatting method.
import type { Writable } from 'node:stream';
import { EVENTS, type EventName } from './events.js';

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
  event(name: EventName, message: string, fields?: LogFields): void;
  /** Logs an unexpected error with its stack, where Error Reporting finds it. */
  unexpected(name: EventName, error: unknown, fields?: LogFields): void;
  /** The same logger, its entries tied to the request's trace (`X-Cloud-Trace-Context`). */
  withTrace(header: string | undefined): Logger;
}

const LABEL_FIELDS = ['runId', 'targetId', 'database'] as const;
const LABELS = 'logging.googleapis.com/labels';
const TRACE = 'logging.googleapis.com/trace';
const SPAN = 'logging.googleapis.com/spanId';
/** Keys the payload may not set: Cloud Logging reads them as the entry's own fields. */
const RESERVED = new Set(['severity', 'message', 'timestamp', 'time', 'event', 'alerting', 'httpRequest']);

export interface CloudLoggerOptions {
  stream?: Writable;
  /** Needed to turn a trace id into the resource name Cloud Logging links. */
  project?: string;
  now?: () => Date;
}

function traceFields(header: string | undefined, project: string | undefined): Record<string, string> {
  // `TRACE_ID/SPAN_ID;o=1`: the trace id is 32 hex digits, the span id decimal.
  const match = /^([0-9a-f]{32})(?:\/(\d+))?/i.exec(header ?? '');
  if (!match || !project) return {};
  return { [TRACE]: `projects/${project}/traces/${match[1]}`, ...(match[2] && { [SPAN]: match[2] }) };
}

export function createCloudLogger(
  options: CloudLoggerOptions = {},
  trace: Record<string, string> = {},
): Logger {
  const stream = options.stream ?? process.stdout;
  const now = options.now ?? (() => new Date());
  const logger: Logger = {
    event(name, message, fields = {}) {
      const labels: Record<string, string> = {};
      const payload: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(fields)) {
        if (value === undefined || RESERVED.has(key) || key.startsWith('logging.googleapis.com/')) continue;
        if ((LABEL_FIELDS as readonly string[]).includes(key)) labels[key] = String(value);
        else payload[key] = value;
      }
      const { severity, alerting } = EVENTS[name];
      const entry = {
        ...payload,
        severity,
        message,
        timestamp: now().toISOString(),
        event: name,
        ...(alerting && { alerting: true }),
        ...(Object.keys(labels).length > 0 && { [LABELS]: labels }),
        ...trace,
      };
      stream.write(`${JSON.stringify(entry)}\n`);
    },
    unexpected(name, error, fields = {}) {
      const message = error instanceof Error ? error.message : String(error);
      logger.event(name, message, {
        ...fields,
        stack_trace: error instanceof Error ? error.stack : undefined,
      });
    },
    withTrace: (header) => createCloudLogger(options, traceFields(header, options.project)),
  };
  return logger;
}
