// The table of every engine's dump scanner, and what else its dump needs on the way to the restore tool.
import type { Transform } from 'node:stream';
import type { EngineName } from '../../../core/formats.js';
import type { DumpScanner } from './dump-scanner.js';
import { MongodbRestoreScanner } from './mongodb-scanner.js';
import { DefinerFilter } from './mysql-definers.js';
import { MysqlDumpScanner } from './mysql-scanner.js';
import { PostgresDumpScanner } from './postgres-scanner.js';
import { SqliteDumpScanner } from './sqlite-scanner.js';

export interface DumpReader {
  scanner(): DumpScanner;
  /** Rewrites the dump on its way to the restore tool; none when it passes unchanged. */
  filter?(): Transform;
}

export const DUMP_READERS = {
  mysql: { scanner: () => new MysqlDumpScanner(), filter: () => new DefinerFilter() },
  mongodb: { scanner: () => new MongodbRestoreScanner() },
  postgres: { scanner: () => new PostgresDumpScanner() },
  sqlite: { scanner: () => new SqliteDumpScanner() },
} satisfies Record<EngineName, DumpReader>;

export type { DumpScanner, ListedTable } from './dump-scanner.js';
