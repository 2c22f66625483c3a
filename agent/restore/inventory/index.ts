// The table of every engine's dump scanner, and what else its dump needs on the way to the restore tool.
import type { Transform } from 'node:stream';
import type { EngineName } from '../../../core/formats.js';
import { ClientCommandFilter, COMMAND_RULES } from './client-commands.js';
import type { DumpScanner } from './dump-scanner.js';
import { MongodbRestoreScanner } from './mongodb-scanner.js';
import { DefinerFilter } from './mysql-definers.js';
import { MysqlDumpScanner } from './mysql-scanner.js';
import { PostgresDumpScanner } from './postgres-scanner.js';
import { SqliteDumpScanner } from './sqlite-scanner.js';

export interface DumpReader {
  scanner(): DumpScanner;
  /**
   * What the dump passes through on its way to the restore tool, in order: the refusal of client commands first,
   * then any rewriting. A filter that errors stops the restore with its error's code.
   */
  filters(): Transform[];
}

export const DUMP_READERS = {
  mysql: {
    scanner: () => new MysqlDumpScanner(),
    filters: () => [new ClientCommandFilter(COMMAND_RULES.mysql()), new DefinerFilter()],
  },
  // An archive of BSON documents for mongorestore, which takes no commands from its input.
  mongodb: { scanner: () => new MongodbRestoreScanner(), filters: () => [] },
  postgres: {
    scanner: () => new PostgresDumpScanner(),
    filters: () => [new ClientCommandFilter(COMMAND_RULES.postgres())],
  },
  sqlite: {
    scanner: () => new SqliteDumpScanner(),
    filters: () => [new ClientCommandFilter(COMMAND_RULES.sqlite())],
  },
} satisfies Record<EngineName, DumpReader>;

export type { DumpScanner, ListedTable } from './dump-scanner.js';
