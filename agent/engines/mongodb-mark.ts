// What ends a complete mongodump archive. The archive is binary: a prelude naming every namespace, then blocks of
// documents, each namespace closed by an EOF block wherever its dump ended (mongo-tools common/archive). Whether it
// "closes every namespace its prelude announced" can be known only by reading every byte of it, which would put the
// whole dump back through the agent (DESIGN 15 forbids it). So the check is the strongest that reads the ends alone:
//
// - its last bytes, as pv shows them, are a namespace's EOF block — a header whose printable parts are its `db`,
//   `collection`, `EOF` and `CRC` fields, then the document's end and the 0xFFFFFFFF terminator — or, for a database
//   without collections, the prelude's header and its terminator with nothing after them;
// - mongodump's own account on stderr: every namespace it said it was writing, it said it finished dumping.
//
// Not seen: the EOF blocks of every namespace but the last (mongodump's account stands for them), and the EOF flag of
// the last header, whose byte pv shows as '.' whether it is 1 or 0; an archive cut just after a namespace switch and
// four bytes into its next document, with no printable byte in its length, would pass the first part.
import type { DumpMark, MarkCheck } from './dump-mark.js';

/** A namespace's EOF block: header fields (type byte, key, NUL, int32 length, value, NUL), document end, terminator. */
const EOF_BLOCK = /\.db\..{4}.*?\.\.collection\..{4}.*?\.\.EOF\.\.\.CRC\..{8}\.\.{4}$/;
/**
 * The prelude's header (its last field, the tool's version: a short length, unprintable, then a few characters) and
 * terminator: an archive of no collection. A collection's metadata after the header is far longer than a version.
 */
const EMPTY_ARCHIVE = /\.tool_version\.\.{4}[ -~]{1,24}\.\.\.{4}$/;

const WRITING = /(?:^|\s)writing (.+) to archive on stdout$/;
const DONE = /(?:^|\s)done dumping (.+) \(\d+ documents?\)$/;
/** With --oplog, the oplog is announced and finished in words of its own. */
const OPLOG = 'captured oplog';
const OPLOG_DONE = /(?:^|\s)dumped \d+ oplog entr(?:y|ies)$/;

function archiveCheck(): MarkCheck {
  const writing = new Set<string>();
  const done = new Set<string>();
  return {
    stderrLine(line) {
      const started = WRITING.exec(line)?.[1];
      if (started !== undefined) writing.add(started);
      const finished = DONE.exec(line)?.[1] ?? (OPLOG_DONE.test(line) ? OPLOG : undefined);
      if (finished !== undefined) done.add(finished);
    },
    verdict(tail) {
      if (!EOF_BLOCK.test(tail) && !EMPTY_ARCHIVE.test(tail)) {
        return "its archive does not end with a namespace's closing (EOF) block";
      }
      const unfinished = [...writing].filter((namespace) => !done.has(namespace));
      if (unfinished.length > 0) {
        return `it began writing ${unfinished.join(', ')} and never said it finished`;
      }
      return undefined;
    },
  };
}

export const mongodumpArchiveMark: DumpMark = { check: archiveCheck };
