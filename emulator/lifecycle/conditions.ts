// Whether a lifecycle rule's conditions hold for one object generation at a given time.
import type { ObjectRecord } from '../model.js';
import type { LifecycleCondition } from './config.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What a condition is checked against: the generation, whether it is live, and how many are newer. */
export interface Candidate {
  object: ObjectRecord;
  live: boolean;
  newerVersions: number;
}

/**
 * True when every condition holds: "all conditions must be satisfied" for a rule to act
 * (cloud.google.com/storage/docs/lifecycle#conditions). Day counts are whole days elapsed: an object created
 * at 10:00 reaches `age: 10` at 10:00 ten days later. Dates (`createdBefore`, `customTimeBefore`,
 * `noncurrentTimeBefore`) mean midnight UTC of that date. Conditions on a time an object lacks (customTime;
 * the noncurrent time of a live object) do not hold.
 */
export function conditionsHold(condition: LifecycleCondition, candidate: Candidate, now: Date): boolean {
  const { object, live, newerVersions } = candidate;
  const noncurrentSince = live ? undefined : (object.timeDeleted ?? undefined);
  const checks: [unknown, () => boolean][] = [
    [condition.age, () => daysSince(object.timeCreated, now) >= (condition.age ?? 0)],
    [condition.createdBefore, () => before(object.timeCreated, condition.createdBefore)],
    [condition.customTimeBefore, () => before(object.customTime, condition.customTimeBefore)],
    [condition.daysSinceCustomTime, () => atLeastDays(object.customTime, condition.daysSinceCustomTime, now)],
    [
      condition.daysSinceNoncurrentTime,
      () => atLeastDays(noncurrentSince, condition.daysSinceNoncurrentTime, now),
    ],
    [condition.noncurrentTimeBefore, () => before(noncurrentSince, condition.noncurrentTimeBefore)],
    [condition.isLive, () => condition.isLive === live],
    [condition.matchesPrefix, () => (condition.matchesPrefix ?? []).some((p) => object.name.startsWith(p))],
    [condition.matchesSuffix, () => (condition.matchesSuffix ?? []).some((s) => object.name.endsWith(s))],
    [
      condition.matchesStorageClass,
      () => (condition.matchesStorageClass ?? []).some((c) => c === (object.storageClass ?? 'STANDARD')),
    ],
    [condition.numNewerVersions, () => newerVersions >= (condition.numNewerVersions ?? 0)],
  ];
  return checks.every(([value, holds]) => value === undefined || holds());
}

function daysSince(time: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(time)) / DAY_MS);
}

function atLeastDays(time: string | undefined, days: number | undefined, now: Date): boolean {
  return time !== undefined && daysSince(time, now) >= (days ?? 0);
}

function before(time: string | undefined, date: string | undefined): boolean {
  return time !== undefined && Date.parse(time) < Date.parse(`${date}T00:00:00Z`);
}
