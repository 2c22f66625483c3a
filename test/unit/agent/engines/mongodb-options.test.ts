// The mongodb engine's options for MongoDB admins — a connection string (replica sets, mongodb+srv, TLS options),
// read preference, --oplog, the authentication database, TLS files — built as argv, the password still only in
// the --config descriptor; and the connection strings and combinations the schema refuses, with why.

import { describe, expect, it } from 'vitest';
import { dumpCommandFor, targetConfigSchema } from '../../../../agent/engines/index.js';

const PASSWORD = `s3cr"et #pass\\word' $x`;
const BASE = { id: 'docs', engine: 'mongodb', database: 'Clinic' };

const args = (fields: object, password?: string) =>
  dumpCommandFor(targetConfigSchema.parse({ ...BASE, ...fields }), password).args;

/** The messages of the schema's issues, for a target that must be refused. */
function refusal(fields: object): string {
  const result = targetConfigSchema.safeParse({ ...BASE, ...fields });
  if (result.success) throw new Error('accepted');
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n');
}

describe('mongodb connection string', () => {
  it('passes a replica set URI as --uri, with the user and the password kept apart', () => {
    const uri = 'mongodb://db1.internal:27017,db2.internal:27017,db3.internal:27017/?replicaSet=rs0&tls=true';
    const command = dumpCommandFor(targetConfigSchema.parse({ ...BASE, uri, user: 'backup' }), PASSWORD);
    expect(command.args).toEqual([
      `--uri=${uri}`,
      '--username=backup',
      '--config=/dev/fd/3',
      '--db=Clinic',
      '--archive',
    ]);
    expect(command.secretFiles).toEqual([`password: ${JSON.stringify(PASSWORD)}\n`]);
    expect(command.args.join(' ')).not.toContain(PASSWORD);
  });

  it('accepts mongodb+srv with the user inside, and names the authentication database only when given', () => {
    const uri = 'mongodb+srv://backup@cluster0.example.net/?retryWrites=true';
    expect(args({ uri })).toEqual([`--uri=${uri}`, '--db=Clinic', '--archive']);
    expect(args({ uri, authDatabase: 'users' })).toEqual([
      `--uri=${uri}`,
      '--authenticationDatabase=users',
      '--db=Clinic',
      '--archive',
    ]);
  });

  it('refuses a password inside the URI, saying where it belongs and without repeating it', () => {
    const message = refusal({ uri: 'mongodb://backup:hunter2@db1.internal:27017/' });
    expect(message).toBe(
      'uri: must not contain a password (it would be visible in the process list): put it in passwordFile',
    );
    expect(message).not.toContain('hunter2');
  });

  it.each([
    [
      { uri: 'postgres://db1/' },
      'uri: must be a mongodb:// or mongodb+srv:// connection string without spaces',
    ],
    [{ uri: 'mongodb://db1/Clinic' }, 'uri: must not name a database'],
    [{ uri: 'mongodb://db1/', host: 'db2' }, 'host: give either uri or host, not both'],
    [{ uri: 'mongodb://db1/', port: 27018 }, 'port: give either uri or port, not both'],
    [{ uri: 'mongodb://backup@db1/', user: 'backup' }, 'user: give the user once'],
    [
      { uri: 'mongodb://db1/?readPreference=nearest', readPreference: 'secondary' },
      'readPreference: give readPreference once',
    ],
    [
      { uri: 'mongodb://db1/?authSource=users', authDatabase: 'admin' },
      'authDatabase: give the authentication database once',
    ],
    [{ readPreference: 'tertiary' }, 'readPreference: Invalid option'],
  ])('refuses %j', (fields, expected) => {
    expect(refusal(fields)).toContain(expected);
  });
});

describe('mongodb dump options', () => {
  it('reads from the preferred member', () => {
    expect(args({ readPreference: 'secondary' })).toEqual([
      '--host=127.0.0.1',
      '--port=27017',
      '--readPreference=secondary',
      '--db=Clinic',
      '--archive',
    ]);
  });

  it('with oplog, dumps the whole replica set with --oplog (mongodump allows it on full dumps only)', () => {
    const built = args({ uri: 'mongodb://db1,db2/?replicaSet=rs0', user: 'backup', oplog: true }, PASSWORD);
    expect(built).toEqual([
      '--uri=mongodb://db1,db2/?replicaSet=rs0',
      '--username=backup',
      '--config=/dev/fd/3',
      '--oplog',
      '--archive',
    ]);
    expect(built.some((arg) => arg.startsWith('--db'))).toBe(false);
  });

  it('connects over TLS with the CA, the client certificate and relaxed host name checks when asked', () => {
    expect(
      args({
        host: 'db1.internal',
        user: 'backup',
        authDatabase: 'users',
        tls: {
          caFile: '/etc/db-backup/mongo-ca.pem',
          certificateKeyFile: '/etc/db-backup/client.pem',
          allowInvalidHostnames: true,
        },
      }),
    ).toEqual([
      '--host=db1.internal',
      '--port=27017',
      '--username=backup',
      '--authenticationDatabase=users',
      '--ssl',
      '--sslCAFile=/etc/db-backup/mongo-ca.pem',
      '--sslPEMKeyFile=/etc/db-backup/client.pem',
      '--sslAllowInvalidHostnames',
      '--db=Clinic',
      '--archive',
    ]);
    expect(refusal({ tls: { caFile: 'ca.pem' } })).toContain('tls.caFile: must be an absolute path');
  });
});
