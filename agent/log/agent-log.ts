// The agent's log: one JSON object per line in the log folder and, by default, in syslog. Every string is
// redacted first; a failed write is reported once on stderr and never breaks the job that logged it.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentEvent } from './events.js';
import type { Redact } from './redact.js';
import { redactDeep } from './redact.js';
import type { SyslogPriority, SyslogSend } from './syslog.js';

export const LOG_FILE_NAME = 'agent.log';

export type LogLevel = 'info' | 'warning' | 'error';

/** Fields a line may carry besides its time, level, event and message. */
export interface LogFields {
  jobId?: string;
  runId?: string;
  targetId?: string;
  objectName?: string;
  bytesRead?: number;
  bytesUploaded?: number;
  durationMs?: number;
  errorCode?: string;
  [key: string]: string | number | boolean | null | undefined | string[];
}

export interface AgentLog {
  info(event: AgentEvent, message: string, fields?: LogFields): void;
  warning(event: AgentEvent, message: string, fields?: LogFields): void;
  error(event: AgentEvent, message: string, fields?: LogFields): void;
}

export interface AgentLogOptions {
  dir: string;
  redact: Redact;
  /** Absent when syslog is off. */
  syslog?: SyslogSend;
  now?: () => Date;
  /** Where a failed log write is reported; stderr by default (journald keeps it). */
  reportFailure?: (message: string) => void;
}

const PRIORITY: Record<LogLevel, SyslogPriority> = { info: 'info', warning: 'warning', error: 'err' };

/** The line for one event; fields keep a fixed order (time, level, event first) so shell tools can read it. */
function formatLogLine(
  time: Date,
  level: LogLevel,
  event: string,
  message: string,
  fields: LogFields,
  redact: Redact,
): string {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return JSON.stringify(redactDeep({ time: time.toISOString(), level, event, message, ...defined }, redact));
}

export function createAgentLog(options: AgentLogOptions): AgentLog {
  const now = options.now ?? (() => new Date());
  const report = options.reportFailure ?? ((message: string) => process.stderr.write(`${message}\n`));
  const file = join(options.dir, LOG_FILE_NAME);
  let failureReported = false;
  // Group may read (an admin group such as adm, for the login banner); others may not.
  mkdirSync(options.dir, { recursive: true, mode: 0o750 });

  const write = (level: LogLevel, event: AgentEvent, message: string, fields: LogFields = {}): void => {
    const line = formatLogLine(now(), level, event, message, fields, options.redact);
    try {
      // Appending by name, line by line, keeps working after logrotate moves the file away.
      appendFileSync(file, `${line}\n`, { mode: 0o640 });
      failureReported = false;
    } catch (error) {
      if (!failureReported) report(`db-backup-agent: cannot write ${file}: ${(error as Error).message}`);
      failureReported = true;
    }
    options.syslog?.(PRIORITY[level], line);
  };

  return {
    info: (event, message, fields) => write('info', event, message, fields),
    warning: (event, message, fields) => write('warning', event, message, fields),
    error: (event, message, fields) => write('error', event, message, fields),
  };
}
