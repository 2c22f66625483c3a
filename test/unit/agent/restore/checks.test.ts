// The admin's expectations of a check's value, as they read in a report and as they are judged.
import { describe, expect, it } from 'vitest';
import { describeExpectation, meetsExpectation } from '../../../../agent/restore/checks.js';

describe('meetsExpectation', () => {
  it.each([
    ['300', { atLeast: 1 }, true],
    ['0', { atLeast: 1 }, false],
    ['300.0', { equals: 300 }, true],
    ['300', { equals: '300' }, true],
    ['ok ', { equals: 'ok' }, true],
    ['42', { atLeast: 1, atMost: 10 }, false],
    ['patient 7', { matches: '^patient \\d+$' }, true],
    ['', { atLeast: 0 }, false],
    ['NULL', { atMost: 5 }, false],
  ])('%j against %j is %s', (value, expect_, verdict) => {
    expect(meetsExpectation(value, expect_)).toBe(verdict);
  });

  it('fails a check that gave no value at all', () => {
    expect(meetsExpectation(undefined, { atLeast: 0 })).toBe(false);
  });

  it('reads back as the admin wrote it', () => {
    expect(describeExpectation({ atLeast: 1, atMost: 10 })).toBe('>= 1 and <= 10');
    expect(describeExpectation({ equals: 'ok', matches: 'o' })).toBe('= ok and ~ /o/');
  });
});
