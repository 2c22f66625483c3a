// What a binary log's own bytes say of it, read from its two ends only: the head (magic and Format_description event)
// names the server and the log's start, the tail's last event (Rotate or Stop, ending exactly at the log's size)
// says that the log is whole, when it closed and which log follows. Pure: the bytes come from the shipping chain.
// Hand-written rather than a library's: the event header is 19 fixed bytes (MariaDB's and MySQL's binary log format
// v4), and the npm binlog readers parse a live replication stream, not a file's two ends.
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from([0xfe, 0x62, 0x69, 0x6e]);
const HEADER = 19;
const FORMAT_DESCRIPTION = 15;
const ROTATE = 4;
const STOP = 3;
/** The Format_description event ends with the checksum algorithm (1 byte) and its own 4-byte checksum field. */
const ALG_FROM_END = 5;
const CRC32_ALG = 1;
const CHECKSUM = 4;
/** A Rotate event's body: the next log's 8-byte start position, then its name. */
const ROTATE_POSITION = 8;

export interface EventHeader {
  at: Date;
  type: number;
  serverId: number;
  size: number;
  /** Where the event ends in its log. */
  end: number;
}

/** The 19-byte header at `offset`; the caller knows the bytes are there. */
function header(bytes: Buffer, offset: number): EventHeader {
  return {
    at: new Date(bytes.readUInt32LE(offset) * 1000),
    type: bytes.readUInt8(offset + 4),
    serverId: bytes.readUInt32LE(offset + 5),
    size: bytes.readUInt32LE(offset + 9),
    end: bytes.readUInt32LE(offset + 13),
  };
}

/** Whether the event's last 4 bytes are the CRC32 of the rest of it. */
function checksumHolds(event: Buffer): boolean {
  const body = event.subarray(0, event.length - CHECKSUM);
  return crc32(body) === event.readUInt32LE(event.length - CHECKSUM);
}

export interface LogHead {
  serverId: number;
  /** The Format_description event's time: when the server opened the log. */
  openedAt: Date;
  /** Whether every event ends with a CRC32 (binlog_checksum=CRC32, the default). */
  checksums: boolean;
}

/** The head's facts, or why these bytes are not the start of a binary log. */
export function readLogHead(head: Buffer): LogHead | string {
  if (head.length < MAGIC.length || !head.subarray(0, MAGIC.length).equals(MAGIC)) {
    return 'it does not start with the binary log magic number';
  }
  if (head.length < MAGIC.length + HEADER) return 'it ends inside its first event';
  const first = header(head, MAGIC.length);
  if (first.type !== FORMAT_DESCRIPTION) {
    return `its first event is of type ${first.type}, not a Format_description event`;
  }
  if (first.end !== MAGIC.length + first.size || first.size < HEADER + ALG_FROM_END) {
    return 'its Format_description event has a size that does not fit its position';
  }
  if (head.length < first.end) return 'it ends inside its Format_description event';
  const event = head.subarray(MAGIC.length, first.end);
  const checksums = event.readUInt8(event.length - ALG_FROM_END) === CRC32_ALG;
  // The Format_description event carries its checksum whenever the log's events do.
  if (checksums && !checksumHolds(event)) return "its Format_description event's checksum does not hold";
  return { serverId: first.serverId, openedAt: first.at, checksums };
}

export interface LogEnding {
  ending: 'rotate' | 'stop';
  serverId: number;
  /** The last event's time: for a Rotate, the moment the log was closed. */
  closedAt: Date;
  /** The log the Rotate event names; absent after a Stop event. */
  next?: string;
}

const NEXT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;

/** The closing event if it starts at `offset` of `tail` (the last bytes of a log of `size` bytes), else undefined. */
function closingAt(tail: Buffer, offset: number, size: number, checksums: boolean): LogEnding | undefined {
  const event = header(tail, offset);
  if (offset + event.size !== tail.length || event.end !== size) return undefined;
  if (event.type !== ROTATE && event.type !== STOP) return undefined;
  const bytes = tail.subarray(offset);
  if (checksums && (bytes.length < HEADER + CHECKSUM || !checksumHolds(bytes))) return undefined;
  const facts = { serverId: event.serverId, closedAt: event.at };
  if (event.type === STOP) return { ending: 'stop', ...facts };
  const name = bytes
    .subarray(HEADER + ROTATE_POSITION, bytes.length - (checksums ? CHECKSUM : 0))
    .toString('latin1');
  return NEXT_NAME.test(name) ? { ending: 'rotate', ...facts, next: name } : undefined;
}

/**
 * The closing event, found in the log's last bytes: the header whose event ends exactly at the tail's end and at
 * the log's size, of a Rotate or Stop event (with its checksum holding, where the log has them). Why not, otherwise:
 * a log cut short ends inside some event, and the one still being written ends without either.
 */
export function readLogEnding(tail: Buffer, size: number, checksums: boolean): LogEnding | string {
  // The nearest candidate to the end is the last event: a longer one would hold it inside its own bytes.
  for (let offset = tail.length - HEADER; offset >= 0; offset -= 1) {
    const found = closingAt(tail, offset, size, checksums);
    if (found) return found;
  }
  return 'its last bytes do not end with a Rotate or Stop event that closes the log at its size';
}
