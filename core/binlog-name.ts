// Where a shipped binary log lives: `<prefix>binlog/<database>/<serverId>/<file><.zst|.gz>[.age]`, one folder per
// database and server, so that a log is found beside the backups it extends (named by the same database) and a
// server with a new identity starts a folder of its own. Pure, and the inverse: the function names the sessions and
// reads the listings with it.
import {
  COMPRESSION_EXTENSION,
  COMPRESSIONS,
  type CompressionAlgorithm,
  ENCRYPTED_EXTENSION,
} from './formats.js';
import { binlogFileSchema, nameSchema } from './protocol.js';

export interface BinlogObject {
  database: string;
  serverId: number;
  file: string;
  compression: CompressionAlgorithm;
  encrypted: boolean;
}

/** The folder of every log a target's server has shipped, or of all its servers without `serverId`. */
export function binlogFolder(prefix: string, database: string, serverId?: number): string {
  return `${prefix}binlog/${database}/${serverId === undefined ? '' : `${serverId}/`}`;
}

export function binlogObjectName(prefix: string, log: BinlogObject): string {
  const ext = COMPRESSION_EXTENSION[log.compression] + (log.encrypted ? ENCRYPTED_EXTENSION : '');
  return `${binlogFolder(prefix, log.database, log.serverId)}${log.file}${ext}`;
}

const SERVER_ID = /^(?:0|[1-9]\d{0,9})$/;

/** The inverse of `binlogObjectName`; null for a name that is not a shipped log under this prefix. */
export function parseBinlogObjectName(prefix: string, name: string): BinlogObject | null {
  if (!name.startsWith(`${prefix}binlog/`)) return null;
  const parts = name.slice(prefix.length + 'binlog/'.length).split('/');
  if (parts.length !== 3) return null;
  const [database = '', serverId = '', last = ''] = parts;
  const encrypted = last.endsWith(ENCRYPTED_EXTENSION);
  const rest = encrypted ? last.slice(0, -ENCRYPTED_EXTENSION.length) : last;
  const compression = COMPRESSIONS.find((c) => rest.endsWith(COMPRESSION_EXTENSION[c]));
  if (!compression || !SERVER_ID.test(serverId) || !nameSchema.safeParse(database).success) return null;
  const file = rest.slice(0, -COMPRESSION_EXTENSION[compression].length);
  if (!binlogFileSchema.safeParse(file).success) return null;
  return { database, serverId: Number(serverId), file, compression, encrypted };
}
