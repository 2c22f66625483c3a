// Where a MySQL/MariaDB dump starts in the binary log: the commands (the dump asked for its position only where the
// server keeps a log; the settings read as the backup user, the password off argv), the settings as the client prints
// them, and the position line read from the dump's header only.

import { describe, expect, it } from 'vitest';
import { dumpCommandFor, type MysqlTarget, mysqlTargetSchema } from '../../../../agent/engines/index.js';
import { binlogSettingsCommand } from '../../../../agent/engines/mysql.js';
import { parseBinlogSettings, positionInHead } from '../../../../agent/engines/mysql-binlog.js';

const PASSWORD = `s3cr"et #pass\\word' $x`;
const target: MysqlTarget = mysqlTargetSchema.parse({
  id: 'hospital',
  engine: 'mysql',
  database: 'HospitalDB',
  user: 'backup',
});

/** The header MariaDB's mariadb-dump 10.11 writes with --single-transaction --master-data=2, as far as the first table. */
const MARIADB_HEAD = `/*M!999999\\- enable the sandbox mode */ 
-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: 127.0.0.1    Database: HospitalDB
-- ------------------------------------------------------
-- Server version	10.11.19-MariaDB-0+deb12u1-log

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;

--
-- Alternately, following is the position of the binary logging from SHOW MASTER STATUS at point of backup.
--

-- CHANGE MASTER TO MASTER_LOG_FILE='binlog.000003', MASTER_LOG_POS=1311;

--
-- Table structure for table \`t\`
--

DROP TABLE IF EXISTS \`t\`;
`;

describe('the dump of a server that keeps binary logs', () => {
  it('asks mysqldump for the position of its snapshot, before the database name, only when told to', () => {
    const plain = dumpCommandFor(target, PASSWORD);
    const withStart = dumpCommandFor(target, PASSWORD, { startPoint: true });
    expect(plain.args).not.toContain('--master-data=2');
    expect(withStart.args).toEqual([...plain.args.slice(0, -1), '--master-data=2', 'HospitalDB']);
    expect(withStart.args).toContain('--single-transaction');
  });

  it('reads the settings with the client as the backup user, the password on fd 3 only', () => {
    const command = binlogSettingsCommand(target, { password: PASSWORD });
    expect(command.file).toBe('mysql');
    expect(command.args.slice(0, 5)).toEqual([
      '--defaults-file=/dev/fd/3',
      '--protocol=tcp',
      '--host=127.0.0.1',
      '--port=3306',
      '--user=backup',
    ]);
    expect(command.args.at(-1)).toMatch(/^--execute=SHOW VARIABLES WHERE Variable_name IN \('log_bin'/);
    expect(command.args.join(' ')).not.toContain('s3cr');
    const configured = binlogSettingsCommand({ ...target, clientPath: '/opt/mariadb/bin/mariadb' }, {});
    expect(configured.file).toBe('/opt/mariadb/bin/mariadb');
  });
});

describe('the server settings', () => {
  it("reads MariaDB's (gtid_domain_id, no server_uuid) and MySQL's (server_uuid, no domain)", () => {
    expect(
      parseBinlogSettings('binlog_format\tROW\ngtid_domain_id\t0\nlog_bin\tON\nserver_id\t42\n'),
    ).toEqual({
      enabled: true,
      fromSnapshot: true,
      format: 'ROW',
      server: { serverId: 42, gtidDomainId: 0 },
    });
    const uuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    expect(
      parseBinlogSettings(`binlog_format\tMIXED\nlog_bin\tON\nserver_id\t1\nserver_uuid\t${uuid}\n`),
    ).toEqual({
      enabled: true,
      fromSnapshot: false,
      format: 'MIXED',
      server: { serverId: 1, serverUuid: uuid },
    });
  });

  it('says so when binary logging is off, and refuses an answer without log_bin or server_id', () => {
    expect(parseBinlogSettings('binlog_format\tMIXED\nlog_bin\tOFF\nserver_id\t1\n').enabled).toBe(false);
    expect(() => parseBinlogSettings('server_id\t1\n')).toThrow(/log_bin and server_id/);
    expect(() => parseBinlogSettings('log_bin\tON\n')).toThrow(/log_bin and server_id/);
  });
});

describe('the position in the dump', () => {
  it("reads MariaDB's CHANGE MASTER and MySQL's CHANGE REPLICATION SOURCE lines", () => {
    expect(positionInHead(MARIADB_HEAD)).toEqual({ file: 'binlog.000003', position: 1311 });
    const mysql = MARIADB_HEAD.replace(
      "-- CHANGE MASTER TO MASTER_LOG_FILE='binlog.000003', MASTER_LOG_POS=1311;",
      "-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='mysql-bin.000012', SOURCE_LOG_POS=157;",
    );
    expect(positionInHead(mysql)).toEqual({ file: 'mysql-bin.000012', position: 157 });
  });

  it('takes no line after the header for it: a trigger or a row may hold any text', () => {
    const withoutPosition = MARIADB_HEAD.replace(/^-- CHANGE MASTER.*$/m, '');
    expect(positionInHead(withoutPosition)).toBeUndefined();
    const planted = `${withoutPosition}CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN\n-- CHANGE MASTER TO MASTER_LOG_FILE='binlog.000009', MASTER_LOG_POS=4;\nEND;\n`;
    expect(positionInHead(planted)).toBeUndefined();
  });
});
