// A target's backups as retention sees them: what each is kept as and until when, and what moving each customTime
// forward to its class's end (or, for the newest good copy, past it) would change. Pure: the listing and "now" in.
import { isGoodBackup } from '../object/good-backup.js';
import type { TargetBackup } from '../storage/target-backups.js';
import { movesForward, type ObjectUpdate } from '../storage/update-object.js';
import { newestCopyEnd, type RetentionClass, type RetentionPolicy } from './classes.js';
import { classify, type PeriodFirsts, periodFirsts } from './classify.js';
import { classMetadata, newestMetadata, readRetention } from './metadata.js';

/** One backup in a report: which copy it is and until when Cloud Storage keeps it. */
export interface KeptBackup {
  objectName: string;
  /** The date in its name, yyyyMMdd. */
  date: string;
  /** Its class; null while it has no retention end of ours. */
  class: RetentionClass | null;
  /** Its customTime, after which Cloud Storage deletes it; null: kept until it is given one. */
  keptUntil: string | null;
  /** Its target's newest good backup, kept while no newer one exists. */
  newest?: true;
  /** Never checked (or failed its check): it takes no period's place and is given no retention end. */
  unchecked?: true;
}

export interface PlannedBackup extends KeptBackup {
  /**
   * `extend`: its customTime moves forward to `keptUntil`; `unchanged`: it already lasts that long or longer;
   * `failed`: the move was refused or could not be made (`error`).
   */
  action: 'extend' | 'unchanged' | 'unchecked' | 'failed';
  error?: { code: string; message: string };
  /** The customTime it had, when it moves. */
  previous?: string | null;
  /** Its retention end has passed: Cloud Storage's lifecycle deletes it within about a day. */
  due?: true;
}

export interface Planned {
  backup: TargetBackup;
  report: PlannedBackup;
  /** What to write when the customTime moves. */
  update?: ObjectUpdate;
  /** The newest-copy rule, not the class, decided how long it is kept. */
  held: boolean;
}

/** The backups as they stand: class and customTime as recorded; the newest good one marked. */
export function keptBackups(backups: readonly TargetBackup[]): KeptBackup[] {
  const newest = backups.find((backup) => isGoodBackup(backup.info));
  return backups.map((backup) => {
    const recorded = readRetention(backup.info);
    return {
      objectName: backup.info.name,
      date: backup.date,
      class: recorded?.class ?? null,
      keptUntil: recorded?.keptUntil ?? null,
      ...(backup === newest && { newest: true as const }),
      ...(!isGoodBackup(backup.info) && { unchecked: true as const }),
    };
  });
}

/** What planning any one of a target's backups needs, worked out once from the whole listing. */
interface Context {
  firsts: PeriodFirsts;
  /** Until when the newest good copy is kept from now. */
  hold: Date;
  newest: TargetBackup | undefined;
  now: Date;
  policy: RetentionPolicy;
}

function context(backups: readonly TargetBackup[], now: Date, policy: RetentionPolicy): Context {
  const good = backups.filter((backup) => isGoodBackup(backup.info));
  return {
    firsts: periodFirsts(good.map((backup) => backup.date)),
    hold: newestCopyEnd(now, policy),
    newest: good[0],
    now,
    policy,
  };
}

function planBackup(backup: TargetBackup, stands: KeptBackup, ctx: Context): Planned {
  if (stands.unchecked) return { backup, report: { ...stands, action: 'unchecked' }, held: false };
  const copy = classify(backup.date, ctx.firsts, ctx.policy);
  const held = backup === ctx.newest && ctx.hold > copy.until;
  const until = held ? ctx.hold : copy.until;
  const due = (keptUntil: string) =>
    Date.parse(keptUntil) <= ctx.now.getTime() ? { due: true as const } : {};
  if (!movesForward(until, backup.info.customTime)) {
    const keptUntil = stands.keptUntil as string;
    return { backup, report: { ...stands, action: 'unchanged', ...due(keptUntil) }, held: false };
  }
  const keptUntil = until.toISOString();
  return {
    backup,
    report: {
      ...stands,
      class: copy.class,
      keptUntil,
      action: 'extend',
      previous: stands.keptUntil,
      ...due(keptUntil),
    },
    update: { keepUntil: until, retention: held ? newestMetadata(copy.class) : classMetadata(copy.class) },
    held,
  };
}

/** The classes applied to every backup of a target (newest first, as listed), never moving a customTime back. */
export function planRetention(
  backups: readonly TargetBackup[],
  now: Date,
  policy: RetentionPolicy,
): Planned[] {
  const ctx = context(backups, now, policy);
  const kept = keptBackups(backups);
  return backups.map((backup, index) => planBackup(backup, kept[index] as KeptBackup, ctx));
}

/** The plan for the target's newest good backup alone; undefined when it has none. */
export function planNewest(
  backups: readonly TargetBackup[],
  now: Date,
  policy: RetentionPolicy,
): Planned | undefined {
  const ctx = context(backups, now, policy);
  if (!ctx.newest) return undefined;
  return planBackup(ctx.newest, keptBackups([ctx.newest])[0] as KeptBackup, ctx);
}
