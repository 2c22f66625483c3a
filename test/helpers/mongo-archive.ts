// Reads the prelude of a mongodump archive: which collections it holds and their metadata (indexes). Written
// here because no npm package reads the archive format; it is small and documented by mongo-tools
// (common/archive/prelude.go): a magic number, a header document, one document per collection, then -1.
import { BSON } from 'mongodb';

const MAGIC = 0x8199e26d;

export interface ArchiveCollection {
  db: string;
  collection: string;
  /** The collection's metadata, as mongodump writes it for mongorestore: options, indexes, uuid, type. */
  metadata: { indexes?: Record<string, unknown>[]; type?: string };
}

export function readArchivePrelude(archive: Buffer): {
  header: BSON.Document;
  collections: ArchiveCollection[];
} {
  if (archive.readUInt32LE(0) !== MAGIC) throw new Error('not a mongodump archive (wrong magic number)');
  const documents: BSON.Document[] = [];
  let offset = 4;
  for (;;) {
    const length = archive.readInt32LE(offset);
    if (length === -1) break;
    documents.push(BSON.deserialize(archive.subarray(offset, offset + length)));
    offset += length;
  }
  const [header = {}, ...entries] = documents;
  const collections = entries.map((entry) => ({
    db: String(entry.db),
    collection: String(entry.collection),
    metadata: BSON.EJSON.parse(String(entry.metadata), { relaxed: false }) as ArchiveCollection['metadata'],
  }));
  return { header, collections };
}

/**
 * The bytes that close a namespace in an archive, as mongodump writes them last: its header with `EOF: true` and
 * the namespace's CRC, then the 0xFFFFFFFF terminator (mongo-tools common/archive/multiplexer.go, formatEOF).
 */
export function archiveEofBlock(db: string, collection: string, crc = 0x1122334455667788n): Buffer {
  const header = BSON.serialize({ db, collection, EOF: true, CRC: BSON.Long.fromBigInt(crc) });
  return Buffer.concat([header, Buffer.from([0xff, 0xff, 0xff, 0xff])]);
}

/** A shell command printing `bytes` exactly, for a stand-in tool: printf with an octal escape for every byte. */
export function printfBytes(bytes: Buffer): string {
  return `printf '${[...bytes].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('')}'`;
}
