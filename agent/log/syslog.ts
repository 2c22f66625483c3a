// Forwards log lines to syslog through util-linux `logger` (Node has no unix datagram sockets for /dev/log).
// Spawned without a shell, the line on stdin; a missing or failing `logger` never reaches the caller.
import { spawn } from 'node:child_process';

export const SYSLOG_TAG = 'db-backup-agent';

export type SyslogPriority = 'info' | 'warning' | 'err';

/** The `logger` command for one line: data, so tests can assert it. */
export function loggerCommand(command: string, priority: SyslogPriority): { file: string; args: string[] } {
  return { file: command, args: ['-t', SYSLOG_TAG, '-p', `user.${priority}`] };
}

export type SyslogSend = (priority: SyslogPriority, line: string) => void;

export function createSyslogSender(
  command = 'logger',
  onError: (error: Error) => void = () => {},
): SyslogSend {
  return (priority, line) => {
    const { file, args } = loggerCommand(command, priority);
    try {
      const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'ignore'], shell: false });
      child.on('error', onError);
      child.stdin.on('error', onError);
      child.on('exit', (code) => {
        if (code !== 0 && code !== null) onError(new Error(`${file} exited with code ${code}`));
      });
      child.stdin.end(`${line}\n`);
    } catch (error) {
      onError(error as Error);
    }
  };
}
