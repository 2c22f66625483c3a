// MySQL and MariaDB: mysqldump (or mariadb-dump) of one database, restorable into any database name.

import { z } from 'zod';
import {
  absolutePathSchema,
  commonTargetFields,
  type DumpCommand,
  type DumpSecrets,
  type Engine,
  hostSchema,
  portSchema,
  secretFilePath,
  userSchema,
} from './engine.js';

export const mysqlTargetSchema = z.strictObject({
  ...commonTargetFields,
  engine: z.literal('mysql'),
  host: hostSchema.default('127.0.0.1'),
  port: portSchema.default(3306),
  user: userSchema,
  /** A unix socket path; when set it is used instead of host and port. */
  socket: absolutePathSchema.optional(),
});
export type MysqlTarget = z.infer<typeof mysqlTargetSchema>;

// No --databases: the dump then carries no CREATE DATABASE/USE, so it restores into a database of any name.
// --no-tablespaces: a single database needs none, and MySQL 8 otherwise demands the PROCESS privilege.
const DUMP_OPTIONS = [
  '--single-transaction',
  '--quick',
  '--routines',
  '--triggers',
  '--events',
  '--hex-blob',
  '--no-tablespaces',
  '--default-character-set=utf8mb4',
];

/** A [client] option file, handed over as a descriptor; option-file values are quoted to survive `#` and spaces. */
function optionFile(password: string): string {
  const escaped = password.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `[client]\npassword="${escaped}"\n`;
}

export const mysql: Engine<MysqlTarget> = {
  name: 'mysql',
  targetSchema: mysqlTargetSchema,
  dumpCommand(target: MysqlTarget, secrets: DumpSecrets): DumpCommand {
    const secretFiles = secrets.password === undefined ? [] : [optionFile(secrets.password)];
    // --defaults-file must come first; it also keeps ~/.my.cnf and /etc/mysql out, so every run is the same.
    const defaults = secretFiles.length ? `--defaults-file=${secretFilePath(0)}` : '--no-defaults';
    const connection = target.socket
      ? ['--protocol=socket', `--socket=${target.socket}`]
      : ['--protocol=tcp', `--host=${target.host}`, `--port=${target.port}`];
    return {
      file: target.toolPath ?? 'mysqldump',
      args: [defaults, ...connection, `--user=${target.user}`, ...DUMP_OPTIONS, target.database],
      env: {},
      secretFiles,
    };
  },
};
