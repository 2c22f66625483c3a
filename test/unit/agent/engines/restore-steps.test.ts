// Restore steps for every engine: the argv lists, environments and secret descriptors of create, restore, query
// and drop — the restore user's password nowhere in argv — and the settings agent.json may not have.
import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../../../agent/config/parse.js';
import {
  restoreEngineFor,
  restoreStepsFor,
  type TargetConfig,
  targetConfigSchema,
} from '../../../../agent/engines/index.js';
import { ENGINE_NAMES } from '../../../../core/formats.js';
import { generateKeyPair } from '../../../../core/signing/index.js';

const PASSWORD = `r3st"ore #pass\\word' $x`;
const CHECK = { name: 'patients', query: 'SELECT COUNT(*) FROM patient', expect: { atLeast: 1 } };

const TARGETS: Record<(typeof ENGINE_NAMES)[number], unknown> = {
  mysql: {
    id: 'hospital',
    engine: 'mysql',
    database: 'HospitalDB',
    user: 'backup',
    restore: { user: 'restore', scratchDatabases: ['HospitalDB_restore'], checks: [CHECK] },
  },
  postgres: {
    id: 'pg',
    engine: 'postgres',
    database: 'HospitalDB',
    user: 'backup',
    host: 'db.internal',
    port: 5433,
    restore: { user: 'restore', scratchDatabases: ['HospitalDB_restore'] },
  },
  mongodb: {
    id: 'mongo',
    engine: 'mongodb',
    database: 'Clinic',
    user: 'backup',
    restore: { user: 'restore', scratchDatabases: ['Clinic_restore'] },
  },
  sqlite: {
    id: 'lite',
    engine: 'sqlite',
    database: 'clinic',
    path: '/var/lib/app/clinic.db',
    restore: { scratchDatabases: ['clinic_restore'], scratchDir: '/var/lib/db-backup/scratch' },
  },
};

const parse = (value: unknown): TargetConfig => targetConfigSchema.parse(value);
const withRestore = (engine: keyof typeof TARGETS, restore: object) => {
  const target = TARGETS[engine] as { restore: object };
  return { ...target, restore: { ...target.restore, ...restore } };
};

describe.each(ENGINE_NAMES)('%s restore steps (shared contract)', (engine) => {
  const target = parse(TARGETS[engine]);
  const scratch =
    engine === 'mongodb'
      ? 'Clinic_restore'
      : target.database === 'clinic'
        ? 'clinic_restore'
        : 'HospitalDB_restore';
  const steps = restoreStepsFor(target, { password: PASSWORD }, scratch);
  const all = [
    steps.create,
    steps.restore,
    steps.query('SELECT 1'),
    steps.drop.kind === 'tool' ? steps.drop.step : null,
  ];

  it('never puts the password in argv, and names the scratch database, never the source', () => {
    for (const step of all.filter((s) => s !== null)) {
      expect(step.args.join('\u0000')).not.toContain(PASSWORD);
      expect(`${step.args.join(' ')} ${step.input ?? ''}`).toContain(scratch);
    }
    expect(steps.restore.args).not.toContain(target.database);
  });

  it('refuses the source database as a scratch database, and a restore without one', () => {
    expect(() => parse(withRestore(engine, { scratchDatabases: [target.database] }))).toThrow(
      /must not be the source database/,
    );
    expect(() => parse(withRestore(engine, { scratchDatabases: [] }))).toThrow(
      /at least one scratch database/,
    );
  });

  it('refuses a check that does not say what its value must be', () => {
    expect(() =>
      parse(withRestore(engine, { checks: [{ name: 'x', query: 'SELECT 1', expect: {} }] })),
    ).toThrow(/equals, atLeast, atMost or matches/);
  });

  it('has no restore steps without restore settings', () => {
    const { restore: _none, ...bare } = TARGETS[engine] as { restore: object };
    expect(() => restoreStepsFor(parse(bare), {}, scratch)).toThrow(
      expect.objectContaining({ code: 'RESTORE_NOT_CONFIGURED' }),
    );
  });
});

describe('mysql', () => {
  const steps = restoreStepsFor(parse(TARGETS.mysql), { password: PASSWORD }, 'HospitalDB_restore');
  const connection = [
    '--defaults-file=/dev/fd/3',
    '--protocol=tcp',
    '--host=127.0.0.1',
    '--port=3306',
    '--user=restore',
  ];

  const client = [...connection, '--default-character-set=utf8mb4', '--sandbox', '--binary-mode'];

  it('restores with the client into the scratch database only, the restore user’s password on fd 3', () => {
    expect(steps.restore).toEqual({
      file: 'mysql',
      args: [...client, '--one-database', 'HospitalDB_restore'],
      env: {},
      secretFiles: ['[client]\npassword="r3st\\"ore #pass\\\\word\' $x"\n'],
    });
  });

  it('creates and drops the scratch database by name, quoted, and queries it in batch mode', () => {
    expect(steps.create?.input).toBe('CREATE DATABASE `HospitalDB_restore`;\n');
    expect(steps.drop).toMatchObject({
      kind: 'tool',
      step: { input: 'DROP DATABASE IF EXISTS `HospitalDB_restore`;\n' },
    });
    expect(steps.query('SELECT 1')).toMatchObject({
      args: [...client, '--batch', '--skip-column-names', 'HospitalDB_restore'],
      input: 'SELECT 1',
    });
  });

  it('refuses the backup user or its password file for restores', () => {
    expect(() => parse(withRestore('mysql', { user: 'backup' }))).toThrow(/must not be the backup's user/);
    const files = { passwordFile: '/etc/db-backup/secrets/h.password' };
    expect(() => parse({ ...withRestore('mysql', files), ...files })).toThrow(
      /must not be the backup's password file/,
    );
  });

  it('reads batch output back, unescaping tabs, newlines and backslashes', () => {
    expect(restoreEngineFor('mysql').dialect.rows('a\\tb\tc\\\\d\ne\\nf\n')).toEqual([
      ['a\tb', 'c\\d'],
      ['e\nf'],
    ]);
    expect(restoreEngineFor('mysql').dialect.countRows([['a`b'], ['c']])).toBe(
      'SELECT COUNT(*) FROM `a``b`;\nSELECT COUNT(*) FROM `c`;',
    );
  });
});

describe('postgres', () => {
  const steps = restoreStepsFor(parse(TARGETS.postgres), { password: PASSWORD }, 'HospitalDB_restore');
  const base = ['-X', '--quiet', '--no-password', '--host=db.internal', '--port=5433', '--username=restore'];

  it('restores with psql in one transaction, stopping at the first error, the password in PGPASSWORD', () => {
    expect(steps.restore).toEqual({
      file: 'psql',
      args: [...base, '--dbname=HospitalDB_restore', '--set=ON_ERROR_STOP=1', '--single-transaction'],
      env: { PGCONNECT_TIMEOUT: '30', PGPASSWORD: PASSWORD },
      secretFiles: [],
      preamble: expect.stringMatching(/^\\restrict [0-9a-f]{64}\n$/),
    });
  });

  it('runs every psql restricted, under a key of its own for each restore, read from stdin', () => {
    const again = restoreStepsFor(parse(TARGETS.postgres), {}, 'HospitalDB_restore');
    const all = [
      steps.create,
      steps.restore,
      steps.query('SELECT 1'),
      steps.drop.kind === 'tool' ? steps.drop.step : null,
    ];
    expect(new Set(all.map((step) => step?.preamble))).toEqual(new Set([steps.restore.preamble]));
    expect(again.restore.preamble).not.toBe(steps.restore.preamble);
    expect(steps.restore.args.join(' ')).not.toContain(steps.restore.preamble?.slice(10, 74));
  });

  it('creates the scratch database from template0 and drops it (with FORCE) from the maintenance database', () => {
    expect(steps.create).toMatchObject({
      args: [...base, '--dbname=postgres', '--set=ON_ERROR_STOP=1'],
      input: `CREATE DATABASE "HospitalDB_restore" TEMPLATE template0 ENCODING 'UTF8';\n`,
    });
    expect(steps.drop).toMatchObject({
      step: { input: 'DROP DATABASE IF EXISTS "HospitalDB_restore" WITH (FORCE);\n' },
    });
  });

  it('counts each table’s own rows, schema-qualified and quoted, and reads NUL-separated rows', () => {
    expect(restoreEngineFor('postgres').dialect.countRows([['public', 'We"ird']])).toBe(
      'SELECT count(*) FROM ONLY "public"."We""ird";',
    );
    expect(restoreEngineFor('postgres').dialect.rows('public\u001fa\u0000public\u001fb\u0000')).toEqual([
      ['public', 'a'],
      ['public', 'b'],
    ]);
  });
});

describe('sqlite', () => {
  const steps = restoreStepsFor(parse(TARGETS.sqlite), {}, 'clinic_restore');
  const file = '/var/lib/db-backup/scratch/clinic_restore.sqlite';

  it('restores into a new file of the scratch folder, queried read-only, dropped by deleting its files', () => {
    expect(steps.create).toBeNull();
    expect(steps.restore.args).toEqual(['-init', '/dev/null', '-bail', '-batch', '-safe', file]);
    expect(steps.query('SELECT 1').args).toEqual(expect.arrayContaining(['-readonly', '-safe']));
    expect(steps.drop).toEqual({
      kind: 'files',
      paths: [file, `${file}-journal`, `${file}-wal`, `${file}-shm`],
    });
  });

  it('refuses a scratch folder that would make a scratch file the source itself', () => {
    const clash = {
      path: '/srv/clinic_restore.sqlite',
      restore: { scratchDatabases: ['clinic_restore'], scratchDir: '/srv' },
    };
    expect(() => parse({ ...(TARGETS.sqlite as object), ...clash })).toThrow(/would be the source/);
  });
});

describe('mongodb', () => {
  const steps = restoreStepsFor(parse(TARGETS.mongodb), { password: PASSWORD }, 'Clinic_restore');

  it('restores the archive from stdin under the scratch name, the password in a --config file on fd 3', () => {
    expect(steps.restore).toEqual({
      file: 'mongorestore',
      args: [
        '--host=127.0.0.1',
        '--port=27017',
        '--username=restore',
        '--authenticationDatabase=admin',
        '--config=/dev/fd/3',
        '--archive',
        '--nsInclude=Clinic.*',
        '--nsFrom=Clinic.*',
        '--nsTo=Clinic_restore.*',
        '--stopOnError',
      ],
      env: {},
      secretFiles: [`password: ${JSON.stringify(PASSWORD)}\n`],
    });
  });

  it('queries and drops through mongosh, which reads the password from its environment', () => {
    const drop = steps.drop.kind === 'tool' ? steps.drop.step : undefined;
    expect(drop?.file).toBe('mongosh');
    expect(drop?.env).toEqual({ DB_BACKUP_PASSWORD: PASSWORD });
    expect(drop?.args.at(-1)).toContain('process.env.DB_BACKUP_PASSWORD');
    expect(drop?.args.at(-1)).toContain('db.dropDatabase()');
    expect(restoreEngineFor('mongodb').dialect.rows('["a"]\n[3]\n')).toEqual([['a'], ['3']]);
  });
});

describe('agent.json', () => {
  const publicPem = generateKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const config = (targets: unknown[]) => ({
    listen: { host: '10.0.0.5' },
    trustedKeys: { k: publicPem },
    targets,
    uploads: { buckets: ['acme-backups'] },
  });
  const files = { readFile: () => '', mode: () => 0o100600 };

  it('refuses a scratch database that is another target’s live database', () => {
    const other = { id: 'restore-me', engine: 'sqlite', database: 'HospitalDB_restore', path: '/srv/x.db' };
    expect(() => parseAgentConfig(config([TARGETS.mysql, other]), files)).toThrow(
      /is a backed-up database, never a scratch one/,
    );
  });
});
