// MongoDB: mongodump as an archive on stdout, compressed once by the pipeline (no --gzip). One database, or with
// `oplog` the whole replica set with the oplog of the dump's duration, for a point-in-time consistent copy. Its
// restore (mongorestore under another database name) is in mongodb-restore.ts.

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
import { authentication, configFile, connection, tls } from './mongodb-connection.js';
import { mongodumpArchiveMark } from './mongodb-mark.js';
import { mongodbRestore, mongodbRestoreSchema } from './mongodb-restore.js';
import { connectionStringSchema, uriOption, userinfo } from './mongodb-uri.js';
import { refineRestore } from './restore-engine.js';

const READ_PREFERENCES = [
  'primary',
  'primaryPreferred',
  'secondary',
  'secondaryPreferred',
  'nearest',
] as const;

export const mongodbTargetSchema = z
  .strictObject({
    ...commonTargetFields,
    engine: z.literal('mongodb'),
    /** A connection string instead of host and port: replica sets, `mongodb+srv`, TLS and other URI options. */
    uri: connectionStringSchema.optional(),
    /** Without `uri`: 127.0.0.1 and 27017 by default. */
    host: hostSchema.optional(),
    port: portSchema.optional(),
    user: userSchema.optional(),
    /** The database the user is defined in; `admin` by default with host and port, the URI's rule with `uri`. */
    authDatabase: userSchema.optional(),
    /** Which member to read from, e.g. `secondary` to keep the dump's load off the primary. */
    readPreference: z.enum(READ_PREFERENCES).optional(),
    /**
     * A point-in-time consistent dump of a replica set: mongodump's --oplog, which works on full dumps only, so
     * every database is dumped (`database` then only names the object); restore with `mongorestore --oplogReplay`.
     */
    oplog: z.boolean().default(false),
    /** TLS to the server: the CA to trust, a client certificate and key (one unencrypted PEM file). */
    tls: z
      .strictObject({
        caFile: absolutePathSchema.optional(),
        certificateKeyFile: absolutePathSchema.optional(),
        allowInvalidHostnames: z.boolean().default(false),
      })
      .optional(),
    restore: mongodbRestoreSchema.optional(),
  })
  .superRefine(refineRestore)
  .superRefine((target, ctx) => {
    const clash = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (target.uri === undefined) return;
    for (const field of ['host', 'port'] as const)
      if (target[field] !== undefined) clash(field, `give either uri or ${field}, not both`);
    if (target.user !== undefined && userinfo(target.uri) !== '')
      clash('user', 'give the user once: in uri or in user, not both');
    if (target.readPreference !== undefined && uriOption(target.uri, 'readPreference'))
      clash('readPreference', 'give readPreference once: in uri or as a field, not both');
    if (target.authDatabase !== undefined && uriOption(target.uri, 'authSource'))
      clash('authDatabase', 'give the authentication database once: authSource in uri or authDatabase');
  });
export type MongodbTarget = z.infer<typeof mongodbTargetSchema>;

export const mongodb: Engine<MongodbTarget> = {
  mark: mongodumpArchiveMark,
  dumpCommand(target: MongodbTarget, secrets: DumpSecrets): DumpCommand {
    const secretFiles = secrets.password === undefined ? [] : [configFile(secrets.password)];
    return {
      file: target.toolPath ?? 'mongodump',
      args: [
        ...connection(target),
        ...authentication(target, target.user, target.authDatabase),
        ...tls(target),
        ...(target.readPreference ? [`--readPreference=${target.readPreference}`] : []),
        ...(secretFiles.length ? [`--config=${secretFilePath(0)}`] : []),
        ...(target.oplog ? ['--oplog'] : [`--db=${target.database}`]),
        '--archive',
      ],
      env: {},
      secretFiles,
    };
  },
  restore: mongodbRestore,
};
