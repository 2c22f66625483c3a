// A target's commands with their secret in place: the password file is read at each job (a rotated password needs
// no restart) and the password is taught to the redactor before the tool can print it. Dumps use the target's
// password; restores the restore user's own.
import type { ConfigFiles } from '../config/files.js';
import { readPasswordFile } from '../config/password-file.js';
import type { Redactor } from '../log/redact.js';
import type { DumpCommand, DumpOptions, DumpSecrets } from './engine.js';
import { dumpCommandFor, type MysqlTarget, restoreStepsFor, type TargetConfig } from './index.js';
import { binlogSettingsCommand } from './mysql.js';
import { closedLogsCommand, shipLogCommand } from './mysql-binlog-commands.js';
import type { RestoreSteps } from './restore-engine.js';

/** A backup's commands, as its target's backup user: the dump, and the query run before a MySQL target's dump. */
export interface ResolveDump {
  dump(target: TargetConfig, options?: DumpOptions): DumpCommand;
  binlogSettings(target: MysqlTarget): DumpCommand;
}

/** The commands that ship a MySQL target's binary logs, as its backup user too (mysql-binlog-commands.ts). */
export interface ResolveShipping extends Pick<ResolveDump, 'binlogSettings'> {
  closedLogs(target: MysqlTarget): DumpCommand;
  shipLog(target: MysqlTarget, dir: string, file: string): DumpCommand;
}

export type ResolveRestore = (target: TargetConfig, scratch: string) => RestoreSteps;

function readSecrets(
  path: string | undefined,
  what: string,
  files: ConfigFiles,
  redactor: Redactor,
): DumpSecrets {
  if (path === undefined) return {};
  const password = readPasswordFile(path, files, what);
  redactor.add(password);
  return { password };
}

export function createDumpResolver(files: ConfigFiles, redactor: Redactor): ResolveDump & ResolveShipping {
  const secretsOf = (target: TargetConfig) =>
    readSecrets(target.passwordFile, `target ${target.id} passwordFile`, files, redactor);
  return {
    dump: (target, options) => dumpCommandFor(target, secretsOf(target).password, options),
    binlogSettings: (target) => binlogSettingsCommand(target, secretsOf(target)),
    closedLogs: (target) => closedLogsCommand(target, secretsOf(target)),
    shipLog: (target, dir, file) => shipLogCommand(target, secretsOf(target), dir, file),
  };
}

export function createRestoreResolver(files: ConfigFiles, redactor: Redactor): ResolveRestore {
  return (target, scratch) => {
    const path = target.restore && 'passwordFile' in target.restore ? target.restore.passwordFile : undefined;
    const secrets = readSecrets(path, `target ${target.id} restore.passwordFile`, files, redactor);
    return restoreStepsFor(target, secrets, scratch);
  };
}
