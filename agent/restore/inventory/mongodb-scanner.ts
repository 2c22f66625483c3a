// What a mongodump archive held, as mongorestore reports it while restoring: one line per collection,
// `finished restoring <db>.<collection> (<n> documents, <m> failures)`. The archive's BSON itself is not parsed.
import { type DumpScanner, type ListedTable, TableTally } from './dump-scanner.js';

const FINISHED = /finished restoring ([^ .]+)\.(\S+) \((\d+) documents?, (\d+) failures?\)/;

export class MongodbRestoreScanner implements DumpScanner {
  private readonly tally = new TableTally();

  write(_chunk: Buffer): void {}

  end(): void {}

  stderrLine(line: string): void {
    const found = FINISHED.exec(line);
    if (!found) return;
    const [, , collection = '', documents = '0'] = found;
    // Documents that failed to restore are missing from the count the validation compares with.
    this.tally.create([collection], Number(documents));
  }

  tables(): ListedTable[] {
    return this.tally.list();
  }
}
