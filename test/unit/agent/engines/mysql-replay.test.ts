// A replayed binary log on its way to the mysql client: mariadb-binlog's own text passes (its GTID and server-id
// settings dropped), any other DELIMITER or client command is refused, wherever the stream is cut; the last
// transaction that changed the database is read from the event headers; and the command mariadb-binlog runs as.
import { Readable, type Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { restoreEngineFor } from '../../../../agent/engines/index.js';
import { binlogReplayCommand, TransactionWatch } from '../../../../agent/engines/mysql-replay.js';

/** mariadb-binlog 10.11's output for a log: a DDL, a transaction of the database, one of another database. */
const OUTPUT = `/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=1*/;
/*!40019 SET @@session.max_delayed_threads=0*/;
DELIMITER /*!*/;
# at 4
#261207 23:13:36 server id 7  end_log_pos 256 CRC32 0xa67a0bd2 \tStart: binlog v 4, server v 10.11.19-MariaDB-0+deb12u1-log created 261207 23:13:36
BINLOG '
mj0Xaw8HAAAA/AAAAAABAAAAAAQAMTAuMTEuMTktTWFyaWFEQi0wK2RlYjEydTEtbG9nAAAAAAAA
'/*!*/;
# at 339
#261207 23:13:36 server id 7  end_log_pos 381 CRC32 0x54404e20 \tGTID 0-7-7 ddl
/*M!100101 SET @@session.skip_parallel_replication=0*//*!*/;
/*M!100001 SET @@session.gtid_domain_id=0*//*!*/;
/*M!100001 SET @@session.server_id=7*//*!*/;
/*M!100001 SET @@session.gtid_seq_no=7*//*!*/;
# at 381
#261207 23:13:37 server id 7  end_log_pos 448 CRC32 0x503a59f8 \tQuery\tthread_id=5\texec_time=0\terror_code=0\txid=0
use \`H_r\`/*!*/;
SET TIMESTAMP=1796685217/*!*/;
/*!\\C utf8mb3 *//*!*/;
create table t2 (a int)
/*!*/;
# at 448
#261207 23:13:38 server id 7  end_log_pos 490 CRC32 0xcc223fd4 \tGTID 0-7-8 trans
/*M!100001 SET @@session.gtid_seq_no=8*//*!*/;
START TRANSACTION
/*!*/;
# at 490
# at 550
#261207 23:13:38 server id 7  end_log_pos 550 CRC32 0xfbb70290 \tAnnotate_rows:
#Q> insert into H.t values (2,'two',NULL)
#261207 23:13:38 server id 7  end_log_pos 596 CRC32 0x5a32efdf \tTable_map: \`H_r\`.\`t\` mapped to number 18
# at 596
#261207 23:13:38 server id 7  end_log_pos 638 CRC32 0x5990a515 \tWrite_rows: table id 18 flags: STMT_END_F

BINLOG '
oD0XaxMHAAAAMAAAAOcBAAAAABIAAAAAAAEAA0hfcgABdAADAw/8AzIAAgbf7zJa
'/*!*/;
# Number of rows: 1
# at 638
#261207 23:13:38 server id 7  end_log_pos 669 CRC32 0xa7e1459a \tXid = 10
COMMIT/*!*/;
# at 669
#261207  9:05:01 server id 7  end_log_pos 711 CRC32 0x53a4dd21 \tGTID 0-7-9 trans
/*M!100001 SET @@session.gtid_seq_no=9*//*!*/;
START TRANSACTION
/*!*/;
# at 711
# at 760
#261207  9:05:01 server id 7  end_log_pos 791 CRC32 0x20d30a1f \tXid = 11
COMMIT/*!*/;
DELIMITER ;
# End of log file
ROLLBACK /* added by mysqlbinlog */;
`;

const IDENTITY_LINES =
  /^\/\*M!100001 SET @@session\.(gtid_domain_id|server_id|gtid_seq_no)=\d+\*\/\/\*!\*\/;\n/gm;

const SIZES = [Number.MAX_SAFE_INTEGER, 1, 7, 300];

async function through(filter: Transform, text: string, size: number): Promise<string | Error> {
  const bytes = Buffer.from(text);
  const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
    bytes.subarray(i * size, (i + 1) * size),
  );
  return buffer(Readable.from(chunks).pipe(filter))
    .then((out) => out.toString())
    .catch((error: Error) => error);
}

const replayFilter = () => restoreEngineFor('mysql').replayFilters?.()[0] as Transform;

describe("a replayed log's way to the mysql client", () => {
  it("passes mariadb-binlog's output whole but for its GTID and server-id settings", async () => {
    const out = OUTPUT.replace(IDENTITY_LINES, '');
    expect(out).toContain('skip_parallel_replication');
    expect(out).not.toContain('gtid_seq_no');
    for (const size of SIZES)
      expect(await through(replayFilter(), OUTPUT, size), `chunks of ${size}`).toBe(out);
  });

  it.each([
    ['a DELIMITER mariadb-binlog does not write', 'DELIMITER ;;\n', 'a DELIMITER line'],
    ['one in lower case, in front of blanks', '  delimiter //\n', 'a DELIMITER line'],
    ["mariadb-binlog's delimiter with more behind it", 'DELIMITER /*!*/; x\n', 'a DELIMITER line'],
    ['a client command', '\\! id\n', 'a mysql client command'],
    ['the shell', 'system id\n', 'a mysql client command'],
  ])('refuses %s, wherever the stream is cut', async (_, line, what) => {
    const lines = OUTPUT.split('\n');
    const text = [...lines.slice(0, 30), line.slice(0, -1), ...lines.slice(30)].join('\n');
    for (const size of SIZES) {
      expect(await through(replayFilter(), text, size), `chunks of ${size}`).toMatchObject({
        code: 'RESTORE_REFUSED',
        message: expect.stringContaining(`line 31 is ${what}`),
      });
    }
  });

  it('keeps an identity setting that is not exactly what mariadb-binlog writes', async () => {
    const text = '/*M!100001 SET @@session.gtid_seq_no=8*//*!*/; DROP TABLE t;\n';
    expect(await through(replayFilter(), text, 7)).toBe(text);
  });
});

describe('the last transaction applied', () => {
  it('is the last commit of a transaction that changed the database, not an empty one of another', async () => {
    const watch = new TransactionWatch();
    for (const size of SIZES) {
      expect(await through(watch.filter(), OUTPUT, size)).toBe(OUTPUT);
      expect(watch.last).toEqual({ at: '2026-12-07T23:13:38Z', endPosition: 669 });
    }
  });

  it('is a DDL statement when that came last, and none when nothing passed', async () => {
    const ddlOnly = OUTPUT.slice(0, OUTPUT.indexOf('# at 448'));
    const watch = new TransactionWatch();
    await through(watch.filter(), ddlOnly, 300);
    expect(watch.last).toEqual({ at: '2026-12-07T23:13:37Z', endPosition: 448 });
    const none = new TransactionWatch();
    await through(none.filter(), OUTPUT.slice(0, OUTPUT.indexOf('# at 339')), 300);
    expect(none.last).toBeUndefined();
  });

  it('reads an hour printed with a blank in front', async () => {
    const watch = new TransactionWatch();
    const text = OUTPUT.replace(
      'server id 7  end_log_pos 711 CRC32 0x53a4dd21 \tGTID 0-7-9 trans\n',
      'server id 7  end_log_pos 711 CRC32 0x53a4dd21 \tGTID 0-7-9 trans\n# at 720\n#261207  9:05:01 server id 7  end_log_pos 740 CRC32 0x5a32efdf \tTable_map: `H_r`.`t` mapped to number 18\n',
    );
    await through(watch.filter(), text, 300);
    expect(watch.last).toEqual({ at: '2026-12-07T09:05:01Z', endPosition: 791 });
  });
});

describe('the command', () => {
  it('reads stdin from the position in UTC up to the moment, one database renamed into the scratch one', () => {
    const stopAt = new Date('2026-12-07T14:32:00.000Z');
    expect(
      binlogReplayCommand('/usr/bin/mariadb-binlog', 'H_r', { database: 'H', startPosition: 1311, stopAt }),
    ).toEqual({
      file: '/usr/bin/mariadb-binlog',
      args: [
        '--no-defaults',
        '--verify-binlog-checksum',
        '--start-position=1311',
        '--stop-datetime=2026-12-07 14:32:00',
        '--database=H',
        '--rewrite-db=H->H_r',
        '-',
      ],
      env: { TZ: 'UTC' },
      secretFiles: [],
    });
    expect(binlogReplayCommand('mariadb-binlog', 'H_r', { database: 'H', stopAt }).args).not.toContain(
      '--start-position=1311',
    );
  });
});
