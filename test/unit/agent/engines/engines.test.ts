// Command building for every engine: the argv list, the environment, the secret descriptors — and the password
// nowhere in argv, whatever it contains.

import { describe, expect, it } from 'vitest';
import { dumpCommandFor, type TargetConfig, targetConfigSchema } from '../../../../agent/engines/index.js';
import { ENGINE_NAMES } from '../../../../core/formats.js';

const PASSWORD = `s3cr"et #pass\\word' $x`;

const TARGETS: Record<(typeof ENGINE_NAMES)[number], unknown> = {
  mysql: { id: 'hospital', engine: 'mysql', database: 'HospitalDB', user: 'backup' },
  postgres: {
    id: 'pg',
    engine: 'postgres',
    database: 'HospitalDB',
    user: 'backup',
    host: 'db.internal',
    port: 5433,
  },
  mongodb: { id: 'mongo', engine: 'mongodb', database: 'Clinic', user: 'backup' },
  sqlite: { id: 'lite', engine: 'sqlite', database: 'clinic', path: '/var/lib/app/clinic.db' },
};

const parse = (value: unknown): TargetConfig => targetConfigSchema.parse(value);

describe.each(ENGINE_NAMES)('%s engine (shared contract)', (engine) => {
  const target = parse(TARGETS[engine]);

  it('never puts the password in argv, and dumps the configured database', () => {
    const command = dumpCommandFor(target, PASSWORD);
    expect(command.args.join('\u0000')).not.toContain(PASSWORD);
    expect(command.args.join(' ')).toContain(
      engine === 'sqlite' ? '/var/lib/app/clinic.db' : target.database,
    );
    expect(command.file).not.toContain('/');
  });

  it('uses the configured tool path', () => {
    expect(dumpCommandFor(parse({ ...(TARGETS[engine] as object), toolPath: '/opt/bin/tool' })).file).toBe(
      '/opt/bin/tool',
    );
  });

  it('takes no options for its dump tool, so none can switch its completion mark off (--skip-comments, --compact)', () => {
    for (const field of ['options', 'args', 'extraArgs', 'dumpOptions']) {
      expect(() => parse({ ...(TARGETS[engine] as object), [field]: ['--skip-comments'] })).toThrow(
        new RegExp(`unrecognized_keys[^]*"${field}"`),
      );
    }
  });

  it('rejects an unknown field and a bad database name', () => {
    expect(() => parse({ ...(TARGETS[engine] as object), extra: 1 })).toThrow(/extra/);
    expect(() => parse({ ...(TARGETS[engine] as object), database: 'Hospital DB;drop' })).toThrow(/database/);
  });
});

describe('mysql', () => {
  it('dumps one database restorably into any name, the password in a [client] option file on fd 3', () => {
    const command = dumpCommandFor(parse(TARGETS.mysql), PASSWORD);
    expect(command).toEqual({
      file: 'mysqldump',
      args: [
        '--defaults-file=/dev/fd/3',
        '--protocol=tcp',
        '--host=127.0.0.1',
        '--port=3306',
        '--user=backup',
        '--single-transaction',
        '--quick',
        '--routines',
        '--triggers',
        '--events',
        '--hex-blob',
        '--no-tablespaces',
        '--default-character-set=utf8mb4',
        'HospitalDB',
      ],
      env: {},
      secretFiles: ['[client]\npassword="s3cr\\"et #pass\\\\word\' $x"\n'],
    });
    expect(command.args).not.toContain('--databases');
  });

  it('uses the socket when one is configured, and reads no option files without a password', () => {
    const command = dumpCommandFor(
      parse({ ...(TARGETS.mysql as object), socket: '/run/mysqld/mysqld.sock' }),
    );
    expect(command.args.slice(0, 4)).toEqual([
      '--no-defaults',
      '--protocol=socket',
      '--socket=/run/mysqld/mysqld.sock',
      '--user=backup',
    ]);
    expect(command.secretFiles).toEqual([]);
  });
});

describe('postgres', () => {
  it('runs pg_dump as plain SQL without owners or grants, the password in PGPASSWORD', () => {
    expect(dumpCommandFor(parse(TARGETS.postgres), PASSWORD)).toEqual({
      file: 'pg_dump',
      args: [
        '--host=db.internal',
        '--port=5433',
        '--username=backup',
        '--dbname=HospitalDB',
        '--format=plain',
        '--no-owner',
        '--no-privileges',
        '--no-password',
        '--encoding=UTF8',
      ],
      env: { PGCONNECT_TIMEOUT: '30', PGPASSWORD: PASSWORD },
      secretFiles: [],
    });
  });
});

describe('mongodb', () => {
  it('writes one database as an archive to stdout, uncompressed, the password in a --config file on fd 3', () => {
    expect(dumpCommandFor(parse(TARGETS.mongodb), PASSWORD)).toEqual({
      file: 'mongodump',
      args: [
        '--host=127.0.0.1',
        '--port=27017',
        '--username=backup',
        '--authenticationDatabase=admin',
        '--config=/dev/fd/3',
        '--db=Clinic',
        '--archive',
      ],
      env: {},
      secretFiles: [`password: ${JSON.stringify(PASSWORD)}\n`],
    });
  });

  it('passes no credentials at all when no user is configured', () => {
    const command = dumpCommandFor(parse({ ...(TARGETS.mongodb as object), user: undefined }));
    expect(command.args).toEqual(['--host=127.0.0.1', '--port=27017', '--db=Clinic', '--archive']);
  });
});

describe('sqlite', () => {
  it('dumps the file read-only, stopping at the first error, ignoring ~/.sqliterc', () => {
    expect(dumpCommandFor(parse(TARGETS.sqlite), PASSWORD)).toEqual({
      file: 'sqlite3',
      args: ['-init', '/dev/null', '-readonly', '-bail', '/var/lib/app/clinic.db', '.dump'],
      env: {},
      secretFiles: [],
    });
  });

  it('requires an absolute path', () => {
    expect(() => parse({ ...(TARGETS.sqlite as object), path: 'clinic.db' })).toThrow(/absolute/);
  });
});
