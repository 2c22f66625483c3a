// Plays nights of backups against the in-memory emulator, the function's clock and the emulator's moved day by day
// in the backup time zone: the backup run at 04:00 (through the scripted agent, which really uploads), verify at
// 10:00, and the bucket's lifecycle rules — as Terraform sets them — run as of 12:00. Every day each database's
// surviving backups must be exactly those the GFS model keeps.
import type { LifecycleRule } from '@google-cloud/storage';
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import { parseObjectName } from '../../../../core/object-name.js';
import { runBackup } from '../../../../functions/backup/run-backup.js';
import { runVerify } from '../../../../functions/verify/run-verify.js';
import { BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { type JobScript, scriptedAgent } from '../scripted-agent.js';
import { GfsModel, type Lengths } from './gfs-model.js';
import { recordRequests, type SentRequest } from './storage-requests.js';

export const PREFIX = 'nightly/';
const DUMP = Buffer.from('-- a night of the database, compressed as far as storage can tell\n'.repeat(20));

export interface PlayOptions {
  /** The first night, yyyy-MM-dd in `timeZone`. */
  start: string;
  nights: number;
  timeZone: string;
  lengths: Lengths;
  /** The targets backed up (of the fixture's a, b and c), each with the nights (yyyyMMdd) on which it fails. */
  failing: Record<string, readonly string[]>;
}

export interface Played {
  fixture: RunFixture;
  /** Every request the function's storage client sent. */
  sent: SentRequest[];
  /** Each database's backups still there after the last day's lifecycle pass, oldest first. */
  survivors: Record<string, string[]>;
  /** The fewest backups any database had after any day's lifecycle pass. */
  fewest: number;
  /** How many backups the lifecycle passes made noncurrent, each deleted for good by the next pass. */
  noncurrent: number;
}

/** The bucket's lifecycle as Terraform configures it: a backup goes once its customTime has passed. */
const RULES: LifecycleRule[] = [
  { action: { type: 'Delete' }, condition: { daysSinceCustomTime: 0, matchesPrefix: [PREFIX] } },
  { action: { type: 'Delete' }, condition: { isLive: false, daysSinceNoncurrentTime: 30 } },
];

export async function playNights(options: PlayOptions): Promise<Played> {
  const { timeZone, lengths } = options;
  const targets = Object.keys(options.failing);
  const first = DateTime.fromISO(options.start, { zone: timeZone });
  const scripts: Record<string, JobScript> = {};
  const fixture = await startRunFixture(
    scriptedAgent(scripts),
    {
      BACKUP_TIME_ZONE: timeZone,
      BACKUP_SCHEDULE: '0 4 * * *',
      BACKUP_PREFIX: PREFIX,
      BACKUP_ON_ERROR: 'continue',
      BACKUP_RETENTION_DAILY_DAYS: String(lengths.dailyDays),
      BACKUP_RETENTION_WEEKLY_WEEKS: String(lengths.weeklyWeeks),
      BACKUP_RETENTION_MONTHLY_MONTHS: String(lengths.monthlyMonths),
      BACKUP_RETENTION_YEARLY_YEARS: String(lengths.yearlyYears),
    },
    {},
    first.toJSDate(),
  );
  const bucket = fixture.storage.bucket(BUCKET);
  await bucket.setMetadata({ lifecycle: { rule: RULES } });
  const sent = recordRequests(fixture.storage);
  const models = Object.fromEntries(targets.map((id) => [id, new GfsModel(timeZone, lengths)]));
  const moveTo = (at: DateTime) => fixture.clock.advance(at.toMillis() - fixture.clock.now().getTime());
  const survivors: Record<string, string[]> = {};
  let fewest = Number.POSITIVE_INFINITY;
  let noncurrent = 0;

  for (let night = 0; night < options.nights; night++) {
    const day = first.plus({ days: night });
    const date = day.toFormat('yyyyMMdd');
    const fails = (id: string) => options.failing[id]?.includes(date) ?? false;
    for (const id of targets)
      scripts[id] = fails(id) ? { states: ['failed'] } : { states: ['succeeded'], bytes: DUMP };

    moveTo(day.set({ hour: 4 }));
    const backup = await runBackup(fixture.config, fixture.deps, {
      databases: targets,
      force: false,
      dryRun: false,
    });
    const wanted = (good: string, bad: string) =>
      Object.fromEntries(targets.map((id) => [id, fails(id) ? bad : good]));
    expect(outcomes(backup), `backup of ${date}`).toEqual(wanted('succeeded', 'failed'));
    for (const id of targets) if (!fails(id)) models[id]?.succeeded(date);

    moveTo(day.set({ hour: 10 }));
    const verify = await runVerify(fixture.config, fixture.deps, { databases: targets });
    expect(outcomes(verify), `verify of ${date}`).toEqual(wanted('verified', 'failed'));

    const lifecycleAt = day.set({ hour: 12 });
    moveTo(lifecycleAt);
    await fixture.emulator.runLifecycle(lifecycleAt.toJSDate());
    const [versions] = await bucket.getFiles({ prefix: PREFIX, versions: true });
    const files = versions.filter((file) => !file.metadata.timeDeleted);
    for (const { name, metadata } of versions.filter((file) => file.metadata.timeDeleted)) {
      // The rule matches a noncurrent version too: the next pass deletes it, leaving it to soft delete.
      expect(metadata.timeDeleted, `${name} after the pass of ${date}`).toBe(lifecycleAt.toUTC().toISO());
      noncurrent += 1;
    }
    for (const id of targets) {
      const kept = files
        .map((file) => parseObjectName(file.name, { prefix: PREFIX }))
        .filter((parsed) => parsed?.database === id)
        .map((parsed) => parsed?.date as string)
        .sort();
      expect(kept, `${id}'s backups after the lifecycle pass of ${date}`).toEqual(
        models[id]?.survivors(lifecycleAt),
      );
      survivors[id] = kept;
      fewest = Math.min(fewest, kept.length);
    }
  }
  return { fixture, sent, survivors, fewest, noncurrent };
}

function outcomes(report: { targets: { targetId: string; outcome: string }[] }): Record<string, string> {
  return Object.fromEntries(report.targets.map((target) => [target.targetId, target.outcome]));
}
