// A target's dump command with its secret in place: the password file is read at each job (a rotated password
// needs no restart) and the password is taught to the redactor before the tool can print it.
import type { ConfigFiles } from '../config/files.js';
import { readPasswordFile } from '../config/password-file.js';
import type { Redactor } from '../log/redact.js';
import type { DumpCommand } from './engine.js';
import { dumpCommandFor, type TargetConfig } from './index.js';

export interface ResolvedDump {
  command: DumpCommand;
  /** What must never be shown: the password, when the target has one. */
  secrets: string[];
}

export type ResolveDump = (target: TargetConfig) => ResolvedDump;

export function createDumpResolver(files: ConfigFiles, redactor: Redactor): ResolveDump {
  return (target) => {
    const password = target.passwordFile
      ? readPasswordFile(target.passwordFile, files, `target ${target.id} passwordFile`)
      : undefined;
    if (password !== undefined) redactor.add(password);
    return { command: dumpCommandFor(target, password), secrets: password === undefined ? [] : [password] };
  };
}
