// PostgreSQL: pg_dump as plain SQL, so psql restores it into a fresh database owned by whoever restores it.

import { z } from 'zod';
import {
  commonTargetFields,
  type DumpCommand,
  type DumpSecrets,
  type Engine,
  hostSchema,
  portSchema,
  userSchema,
} from './engine.js';

export const postgresTargetSchema = z.strictObject({
  ...commonTargetFields,
  engine: z.literal('postgres'),
  host: hostSchema.default('127.0.0.1'),
  port: portSchema.default(5432),
  user: userSchema,
});
export type PostgresTarget = z.infer<typeof postgresTargetSchema>;

// --no-owner/--no-privileges: the roles of the source need not exist where it is restored; the restoring role owns
// everything. --no-password: fail at once rather than wait for a prompt nobody answers.
const DUMP_OPTIONS = ['--format=plain', '--no-owner', '--no-privileges', '--no-password', '--encoding=UTF8'];

export const postgres: Engine<PostgresTarget> = {
  name: 'postgres',
  targetSchema: postgresTargetSchema,
  dumpCommand(target: PostgresTarget, secrets: DumpSecrets): DumpCommand {
    // libpq only takes a regular file as PGPASSFILE, so the password travels in the child's environment.
    const env: Record<string, string> = { PGCONNECT_TIMEOUT: '30' };
    if (secrets.password !== undefined) env.PGPASSWORD = secrets.password;
    return {
      file: target.toolPath ?? 'pg_dump',
      args: [
        `--host=${target.host}`,
        `--port=${target.port}`,
        `--username=${target.user}`,
        `--dbname=${target.database}`,
        ...DUMP_OPTIONS,
      ],
      env,
      secretFiles: [],
    };
  },
};
