// Hands log lines to syslog through systemd's journal, without a process per line: each line goes to stdout
// behind an sd-daemon priority prefix (`<3>` err, `<4>` warning, `<6>` info). The unit gives stdout to the
// journal under SyslogIdentifier=db-backup-agent with SyslogLevelPrefix=yes, and rsyslog files the lines
// under /var/log (agent/deploy/db-backup-agent.rsyslog.conf).
import type { Writable } from 'node:stream';

export const SYSLOG_TAG = 'db-backup-agent';

export type SyslogPriority = 'info' | 'warning' | 'err';

/** syslog(3) priority numbers, as sd-daemon(3) prefixes carry them. */
const LEVEL: Record<SyslogPriority, number> = { err: 3, warning: 4, info: 6 };

export type SyslogSend = (priority: SyslogPriority, line: string) => void;

/** The text written for one line: its prefix, the line on one line (the journal splits at newlines), a newline. */
export function journalLine(priority: SyslogPriority, line: string): string {
  return `<${LEVEL[priority]}>${line.replaceAll('\n', ' ')}\n`;
}

/**
 * A sender writing to `stream` (stdout by default). A failed write (stdout closed) is reported through
 * `onError` and never reaches the caller.
 */
export function createSyslogSender(
  stream: Writable = process.stdout,
  onError: (error: Error) => void = () => {},
): SyslogSend {
  stream.on('error', onError);
  return (priority, line) => {
    try {
      stream.write(journalLine(priority, line));
    } catch (error) {
      onError(error as Error);
    }
  };
}
