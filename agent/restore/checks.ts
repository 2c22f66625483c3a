// Whether a check's value is what the admin said it must be, and how that expectation reads in a report.
import type { Expectation } from '../engines/index.js';

/** `>= 1`, `= 42`, `~ /^ok$/`, joined with `and`. */
export function describeExpectation(expect: Expectation): string {
  const parts: string[] = [];
  if (expect.equals !== undefined) parts.push(`= ${expect.equals}`);
  if (expect.atLeast !== undefined) parts.push(`>= ${expect.atLeast}`);
  if (expect.atMost !== undefined) parts.push(`<= ${expect.atMost}`);
  if (expect.matches !== undefined) parts.push(`~ /${expect.matches}/`);
  return parts.join(' and ');
}

/** A number is compared as a number (`300.0` equals 300), a text as it is; a bound needs a numeric value. */
export function meetsExpectation(value: string | undefined, expect: Expectation): boolean {
  if (value === undefined) return false;
  const text = value.trim();
  const number = text === '' ? Number.NaN : Number(text);
  if (expect.equals !== undefined) {
    const equal = typeof expect.equals === 'number' ? number === expect.equals : text === expect.equals;
    if (!equal) return false;
  }
  if (expect.atLeast !== undefined && !(number >= expect.atLeast)) return false;
  if (expect.atMost !== undefined && !(number <= expect.atMost)) return false;
  if (expect.matches !== undefined && !new RegExp(expect.matches).test(text)) return false;
  return true;
}
