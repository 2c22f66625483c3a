// A database's shipped binary logs as the bucket holds them, each with its facts believed only where the function's
// attestation covers them: what shipping skips, what the chain is followed through, what status measures.
import type { Bucket } from '@google-cloud/storage';
import { binlogFolder, parseBinlogObjectName } from '../../core/binlog-name.js';
import type { ShippedLogFacts } from '../../core/binlog-protocol.js';
import type { FunctionConfig } from '../config/schema.js';
import { attestationKeys, factsAttested } from '../object/attestation.js';
import { type ObjectInfo, objectInfo } from '../storage/objects.js';
import { logFactsOf } from './log-facts.js';

export interface ShippedLog {
  info: ObjectInfo;
  /** The server id and file its name gives: the server that listed it. */
  serverId: number;
  file: string;
  /** Its facts, when the function's attestation covers them; null for an object nothing proves. */
  facts: ShippedLogFacts | null;
}

/** A shipped log whose facts are proven: what the chain follows. */
export type ProvenLog = ShippedLog & { facts: ShippedLogFacts };

/** Every log object under the database's folder (of one server, with `serverId`), in the bucket's name order. */
export async function listShippedLogs(
  bucket: Bucket,
  config: Pick<FunctionConfig, 'prefix' | 'bucket' | 'signingKey' | 'retiredSigningKeys'>,
  database: string,
  serverId?: number,
): Promise<ShippedLog[]> {
  const keys = attestationKeys(config.signingKey, config.retiredSigningKeys);
  const [files] = await bucket.getFiles({
    prefix: binlogFolder(config.prefix, database, serverId),
    autoPaginate: true,
  });
  return files.flatMap((file) => {
    const parsed = parseBinlogObjectName(config.prefix, file.name);
    if (parsed?.database !== database) return [];
    const info = objectInfo({ ...file.metadata, name: file.name });
    const facts = factsAttested(config.bucket, info, keys) ? logFactsOf(info.metadata) : null;
    // Facts that name another log than the object's own name are not this log's. Its server id may be an earlier
    // identity's than its folder's (ship-log.ts): the chain goes by the facts.
    const own = facts?.file === parsed.file ? facts : null;
    return [{ info, serverId: parsed.serverId, file: parsed.file, facts: own }];
  });
}

export function isProven(log: ShippedLog): log is ProvenLog {
  return log.facts !== null;
}
