// The commands that ship a MariaDB server's binary logs, as the target's backup user (the grants are in
// agent/deploy/README.md), its password on a descriptor as the dump's: the client closing the open log and listing
// the logs, and mariadb-binlog reading one closed log from the server as it is on the server's disk.
import type { DumpCommand, DumpSecrets } from './engine.js';
import { clientQuery, connect, type MysqlTarget } from './mysql.js';
import { FLUSH_AND_LIST_SQL } from './mysql-binlog.js';

/** FLUSH BINARY LOGS (RELOAD or BINLOG ADMIN), then SHOW BINARY LOGS (BINLOG MONITOR), in one client run. */
export function closedLogsCommand(target: MysqlTarget, secrets: DumpSecrets): DumpCommand {
  return clientQuery(target, secrets, FLUSH_AND_LIST_SQL);
}

/**
 * mariadb-binlog asking the server for `file` as a replica would (REPLICATION SLAVE): --raw writes the log's bytes
 * as they are into `<dir>/<file>`, and it stops at the end of that one log. `dir` is the caller's private folder,
 * where `<file>` is a symlink to /dev/stdout: the log comes out on stdout, into the shipping chain, never on disk.
 */
export function shipLogCommand(
  target: MysqlTarget,
  secrets: DumpSecrets,
  dir: string,
  file: string,
): DumpCommand {
  const { args, secretFiles } = connect(target, target.user, secrets);
  // mariadb-binlog reads the [client] group of --defaults-file as the client does: the password stays on fd 3.
  return {
    file: target.binlogToolPath ?? 'mariadb-binlog',
    args: [...args, '--read-from-remote-server', '--raw', `--result-file=${dir}/`, file],
    env: {},
    secretFiles,
  };
}
