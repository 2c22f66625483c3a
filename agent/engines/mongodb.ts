// MongoDB: mongodump of one database as an archive on stdout, compressed once by the pipeline (no --gzip).

import { z } from 'zod';
import {
  commonTargetFields,
  type DumpCommand,
  type DumpSecrets,
  type Engine,
  hostSchema,
  portSchema,
  secretFilePath,
  userSchema,
} from './engine.js';

export const mongodbTargetSchema = z.strictObject({
  ...commonTargetFields,
  engine: z.literal('mongodb'),
  host: hostSchema.default('127.0.0.1'),
  port: portSchema.default(27017),
  user: userSchema.optional(),
  /** The database the user is defined in. */
  authDatabase: userSchema.default('admin'),
});
export type MongodbTarget = z.infer<typeof mongodbTargetSchema>;

/** mongodump's --config YAML; a JSON string is a valid YAML double-quoted scalar. */
function configFile(password: string): string {
  return `password: ${JSON.stringify(password)}\n`;
}

export const mongodb: Engine<MongodbTarget> = {
  name: 'mongodb',
  targetSchema: mongodbTargetSchema,
  dumpCommand(target: MongodbTarget, secrets: DumpSecrets): DumpCommand {
    const secretFiles = secrets.password === undefined ? [] : [configFile(secrets.password)];
    const auth = target.user
      ? [`--username=${target.user}`, `--authenticationDatabase=${target.authDatabase}`]
      : [];
    return {
      file: target.toolPath ?? 'mongodump',
      args: [
        `--host=${target.host}`,
        `--port=${target.port}`,
        ...auth,
        ...(secretFiles.length ? [`--config=${secretFilePath(0)}`] : []),
        `--db=${target.database}`,
        '--archive',
      ],
      env: {},
      secretFiles,
    };
  },
};
