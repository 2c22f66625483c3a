// The retention rule the tests hold the function to, stated on its own from the nights that succeeded: which
// backups Cloud Storage still keeps on a day, after that day's lifecycle pass.
import { DateTime } from 'luxon';

export interface Lengths {
  dailyDays: number;
  weeklyWeeks: number;
  monthlyMonths: number;
  yearlyYears: number;
}

interface Good {
  date: string;
  start: DateTime;
  /** Epoch milliseconds until which it is kept, as far as the nights recorded so far decide. */
  keptUntil: number;
}

/**
 * Every good backup is kept 7 days from the start of its day. The first good one of an ISO week, a month and a
 * year is kept from the start of that period for 4 weeks, 12 months and N years. The newest good one is also kept
 * 7 days from the start of every day on which it was still the newest.
 */
export class GfsModel {
  /** Ascending. */
  private readonly good: Good[] = [];
  /** The periods (`week <start>`) that already have their first good backup. */
  private readonly covered = new Set<string>();

  constructor(
    private readonly zone: string,
    private readonly lengths: Lengths,
  ) {}

  /** Records the night of `date` (after every earlier one) as good. */
  succeeded(date: string): void {
    const start = DateTime.fromFormat(date, 'yyyyMMdd', { zone: this.zone });
    const ends = [start.plus({ days: this.lengths.dailyDays })];
    const periods = [
      ['week', this.lengths.weeklyWeeks],
      ['month', this.lengths.monthlyMonths],
      ['year', this.lengths.yearlyYears],
    ] as const;
    for (const [unit, length] of periods) {
      const period = start.startOf(unit);
      const key = `${unit} ${period.toMillis()}`;
      if (length > 0 && !this.covered.has(key)) ends.push(period.plus({ [`${unit}s`]: length }));
      this.covered.add(key);
    }
    // The one this replaces as the newest was the newest until the day before.
    const previous = this.good.at(-1);
    if (previous) previous.keptUntil = Math.max(previous.keptUntil, this.dailyFrom(start.minus({ days: 1 })));
    this.good.push({ date, start, keptUntil: Math.max(...ends.map((end) => end.toMillis())) });
  }

  /** The good backups still kept once lifecycle has run at `at`, on the day of the last night recorded. */
  survivors(at: DateTime): string[] {
    const newestUntil = this.dailyFrom(at.setZone(this.zone).startOf('day'));
    return this.good
      .filter((good, index) => {
        const keptUntil =
          index === this.good.length - 1 ? Math.max(good.keptUntil, newestUntil) : good.keptUntil;
        return keptUntil > at.toMillis();
      })
      .map(({ date }) => date);
  }

  private dailyFrom(day: DateTime): number {
    return day.plus({ days: this.lengths.dailyDays }).toMillis();
  }
}
