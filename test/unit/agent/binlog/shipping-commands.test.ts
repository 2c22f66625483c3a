// The commands that ship a MariaDB server's binary logs, as data: the client closing and listing the logs, and
// mariadb-binlog reading one into the caller's private folder, both as the backup user with the password on fd 3
// only; and the list as the client prints it.
import { describe, expect, it } from 'vitest';
import { mysqlTargetSchema } from '../../../../agent/engines/index.js';
import { parseBinaryLogs } from '../../../../agent/engines/mysql-binlog.js';
import { closedLogsCommand, shipLogCommand } from '../../../../agent/engines/mysql-binlog-commands.js';

const PASSWORD = `s3cr"et #pass\\word' $x`;
const target = mysqlTargetSchema.parse({ id: 'ward', engine: 'mysql', database: 'Ward', user: 'backup' });
const CONNECT = [
  '--defaults-file=/dev/fd/3',
  '--protocol=tcp',
  '--host=127.0.0.1',
  '--port=3306',
  '--user=backup',
];

describe('the shipping commands', () => {
  it('close the open log and list the logs in one client run', () => {
    const command = closedLogsCommand(target, { password: PASSWORD });
    expect(command.file).toBe('mysql');
    expect(command.args).toEqual([
      ...CONNECT,
      '--batch',
      '--skip-column-names',
      '--execute=FLUSH BINARY LOGS; SHOW BINARY LOGS',
    ]);
    expect(command.secretFiles).toEqual([expect.stringContaining('password="s3cr\\"et')]);
  });

  it('read one log raw from the server into <dir>/<file>, the password never in argv', () => {
    const command = shipLogCommand(target, { password: PASSWORD }, '/dev/shm/db-backup-x', 'binlog.000042');
    expect(command.file).toBe('mariadb-binlog');
    expect(command.args).toEqual([
      ...CONNECT,
      '--read-from-remote-server',
      '--raw',
      '--result-file=/dev/shm/db-backup-x/',
      'binlog.000042',
    ]);
    expect(command.args.join(' ')).not.toContain('s3cr');
    const configured = shipLogCommand(
      { ...target, binlogToolPath: '/opt/mariadb/bin/mariadb-binlog' },
      {},
      '/d',
      'b.1',
    );
    expect(configured.file).toBe('/opt/mariadb/bin/mariadb-binlog');
    expect(configured.args[0]).toBe('--no-defaults');
  });
});

describe('the list of logs', () => {
  it("reads MariaDB's two columns and MySQL's three, oldest first as listed", () => {
    expect(parseBinaryLogs('binlog.000001\t1807\nbinlog.000002\t339\n')).toEqual([
      { file: 'binlog.000001', size: 1807 },
      { file: 'binlog.000002', size: 339 },
    ]);
    expect(parseBinaryLogs('mysql-bin.000007\t157\tNo\n')).toEqual([{ file: 'mysql-bin.000007', size: 157 }]);
  });

  it('refuses a line that is not a log name and a size', () => {
    const why = 'the server listed its binary logs in a form the agent does not read';
    expect(() => parseBinaryLogs('../etc/passwd\t12\n')).toThrow(why);
    expect(() => parseBinaryLogs('binlog.000001\tmany\n')).toThrow(why);
  });
});
