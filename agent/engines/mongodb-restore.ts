// MongoDB's restore, beside its dump: mongorestore reads the archive from stdin under the scratch database's name
// (--nsFrom/--nsTo), as a restore user of its own; mongosh lists, counts, checks and drops the scratch database,
// the password in its environment (its script on the command line holds none).
import { z } from 'zod';
import { absolutePathSchema, secretFilePath, userSchema } from './engine.js';
import type { MongodbTarget } from './mongodb.js';
import {
  authDatabaseOf,
  authentication,
  configFile,
  connection,
  connectionString,
  tls,
} from './mongodb-connection.js';
import {
  commonRestoreFields,
  type RestoreDialect,
  type RestoreEngine,
  type RestoreStep,
  restoreSettings,
} from './restore-engine.js';

export const mongodbRestoreSchema = z.strictObject({
  ...commonRestoreFields,
  /** A user with readWrite and dbAdmin on the scratch databases only; never the backup's user. */
  user: userSchema.optional(),
  passwordFile: absolutePathSchema.optional(),
  authDatabase: userSchema.optional(),
  /** Overrides the mongosh found on PATH (validation queries and the drop). */
  shellPath: absolutePathSchema.optional(),
});

const PASSWORD_ENV = 'DB_BACKUP_PASSWORD';

const dialect: RestoreDialect = {
  listTables:
    "db.getCollectionNames().filter((n) => !n.startsWith('system.')).sort().forEach((n) => print(JSON.stringify([n])));",
  countRows: (tables) =>
    `for (const n of ${JSON.stringify(tables.map((parts) => parts[0]))}) print(JSON.stringify([db.getCollection(n).countDocuments({})]));`,
  checkQuery: (expression) => `print(JSON.stringify([(${expression})]));`,
  // Each row is printed as a JSON array by the scripts above; a value that is not text is shown as JSON.
  rows: (stdout) =>
    stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const row: unknown = JSON.parse(line);
        return (Array.isArray(row) ? row : [row]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      }),
};

export const mongodbRestore: RestoreEngine<MongodbTarget> = {
  dialect,
  // An archive of BSON documents for mongorestore, which takes no commands from its input.
  filters: () => [],
  steps(target, secrets, scratch) {
    const settings = restoreSettings(target);
    const secretFiles = secrets.password === undefined ? [] : [configFile(secrets.password)];
    const authDatabase = authDatabaseOf(target, settings.user, settings.authDatabase) ?? 'admin';
    const auth = settings.user
      ? `conn.getDB(${JSON.stringify(authDatabase)}).auth(${JSON.stringify(settings.user)}, process.env.${PASSWORD_ENV});`
      : '';
    const shell = (body: string): RestoreStep => ({
      file: settings.shellPath ?? 'mongosh',
      args: [
        '--nodb',
        '--quiet',
        '--norc',
        '--eval',
        `const conn = new Mongo(${JSON.stringify(connectionString(target))}); ${auth} db = conn.getDB(${JSON.stringify(scratch)}); ${body}`,
      ],
      env: secrets.password === undefined ? {} : { [PASSWORD_ENV]: secrets.password },
      secretFiles: [],
    });
    return {
      // MongoDB makes a database at its first write: "creating" it is making sure none is there to overwrite.
      // Thrown, not console.error'd: mongosh prints console.error on stdout, and only stderr names the reason.
      create: shell(
        `if (db.getCollectionNames().length > 0) throw new Error('the database ${scratch} already exists');`,
      ),
      restore: {
        file: settings.toolPath ?? 'mongorestore',
        args: [
          ...connection(target),
          ...authentication(target, settings.user, settings.authDatabase),
          ...tls(target),
          ...(secretFiles.length ? [`--config=${secretFilePath(0)}`] : []),
          '--archive',
          `--nsInclude=${target.database}.*`,
          `--nsFrom=${target.database}.*`,
          `--nsTo=${scratch}.*`,
          '--stopOnError',
        ],
        env: {},
        secretFiles,
      },
      query: shell,
      drop: { kind: 'tool', step: shell('db.dropDatabase();') },
    };
  },
};
