// A pointInTime database's backup and shipped logs planted in the fixture's bucket as the function writes them —
// checked, with their binary-log facts in their metadata, attested — for the tests of what reads the chain.
import type { ShippedLogFacts } from '../../../../core/binlog-protocol.js';
import { logFactsMetadata } from '../../../../functions/binlog/log-facts.js';
import { attestObject, BUCKET, type RunFixture } from '../run-fixture.js';

export const logFile = (n: number) => `binlog.${String(n).padStart(6, '0')}`;

/** HospitalDB on one agent, restorable to a moment, beside a database that is not. */
export const POINT_IN_TIME_TARGETS = JSON.stringify([
  {
    id: 'hospital',
    database: 'HospitalDB',
    engine: 'mysql',
    agentUrl: 'https://10.0.0.5:8443',
    pointInTime: true,
  },
  { id: 'app', database: 'app', engine: 'mysql', agentUrl: 'https://10.0.0.5:8443' },
]);

export function plantedChain(fixture: RunFixture, now: Date) {
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
  const save = async (name: string, metadata: Record<string, string>) => {
    await fixture.storage
      .bucket(BUCKET)
      .file(name)
      .save(`bytes of ${name}`, { metadata: { metadata: { checkedAt: now.toISOString(), ...metadata } } });
    await attestObject(fixture, name);
  };
  return {
    minutesAgo,
    /** A backup of `database` (HospitalDB), starting in log 2 of server 7 unless `position` says otherwise. */
    backup: (
      date: string,
      position: Record<string, string> = {
        binlogFile: logFile(2),
        binlogPosition: '1311',
        binlogServerId: '7',
      },
      database = 'HospitalDB',
    ) => save(`${database}_${date}.sql.gz`, position),
    /** Log n of server 7, its events from `from` to `to` minutes before `now`, rotated to n + 1. */
    shipped: (n: number, from: number, to: number, change: Partial<ShippedLogFacts> = {}) => {
      const facts: ShippedLogFacts = {
        file: logFile(n),
        size: 1000,
        serverId: 7,
        firstEventAt: minutesAgo(from),
        lastEventAt: minutesAgo(to),
        ending: 'rotate',
        next: logFile(n + 1),
        ...change,
      };
      return save(`binlog/HospitalDB/${facts.serverId}/${facts.file}.gz`, logFactsMetadata(facts));
    },
  };
}
