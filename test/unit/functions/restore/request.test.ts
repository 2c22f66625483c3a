import { describe, expect, it } from 'vitest';
import { parseRestoreRequest } from '../../../../functions/restore/request.js';

describe('parseRestoreRequest', () => {
  it('reads one database, a date, keep and a scratch name from the query or the body', () => {
    expect(
      parseRestoreRequest({ database: 'HospitalDB', date: '2026-11-30', keep: 'true' }, {}, 'UTC'),
    ).toEqual({
      databases: ['HospitalDB'],
      date: '20261130',
      keep: true,
      drill: false,
    });
    expect(
      parseRestoreRequest({}, { database: 'app', scratch: 'app_restore2', date: 'latest' }, 'UTC'),
    ).toEqual({
      databases: ['app'],
      keep: false,
      scratch: 'app_restore2',
      drill: false,
    });
  });

  it('reads a generation of the date’s backup', () => {
    expect(
      parseRestoreRequest({ database: 'a', date: '2026-11-30', generation: '1764460800123456' }, {}, 'UTC'),
    ).toEqual({
      databases: ['a'],
      date: '20261130',
      generation: '1764460800123456',
      keep: false,
      drill: false,
    });
  });

  it('reads a moment in the configured zone, to the minute or the second, or an ISO moment with its offset', () => {
    const at = (value: string) => parseRestoreRequest({ database: 'a', at: value }, {}, 'Europe/Berlin').at;
    expect(at('2026-12-07 14:32')?.toISOString()).toBe('2026-12-07T13:32:00.000Z');
    expect(at('2026-07-07 14:32:05')?.toISOString()).toBe('2026-07-07T12:32:05.000Z');
    expect(at('2026-12-07T14:32')?.toISOString()).toBe('2026-12-07T13:32:00.000Z');
    expect(at('2026-12-07T14:32:00Z')?.toISOString()).toBe('2026-12-07T14:32:00.000Z');
    expect(at('2026-12-07T14:32:00+05:00')?.toISOString()).toBe('2026-12-07T09:32:00.000Z');
  });

  it.each([
    [
      'no moment',
      { at: '14:32' },
      'at: "14:32" is not a moment; write it as yyyy-MM-dd HH:mm[:ss] in Europe/Berlin',
    ],
    ['no day of the calendar', { at: '2026-02-30 10:00' }, 'is not a moment'],
    ['an ISO moment without its offset', { at: '2026-12-07T14:32:00.5' }, 'is not a moment'],
    [
      'a moment with a date',
      { at: '2026-12-07 14:32', date: '2026-12-07' },
      'no drill, date, generation or dropScratch',
    ],
    [
      'a moment in a drill',
      { at: '2026-12-07 14:32', drill: 'true' },
      'no drill, date, generation or dropScratch',
    ],
  ])('refuses %s', (_, fields, message) => {
    expect(() => parseRestoreRequest({ database: 'a', ...fields }, {}, 'Europe/Berlin')).toThrow(message);
  });

  it('makes a scheduled call a drill of every target, whatever its fields', () => {
    expect(parseRestoreRequest({}, {}, 'UTC', true)).toEqual({ keep: false, drill: true });
    expect(parseRestoreRequest({ drill: 'true', databases: 'a,b' }, {}, 'UTC')).toEqual({
      databases: ['a', 'b'],
      keep: false,
      drill: true,
    });
  });

  it.each([
    [{}, 'name the one database'],
    [{ database: 'a,b' }, 'name the one database'],
    [{ database: 'a', date: '2026-02-30' }, 'date: must be a calendar date'],
    [{ database: 'a', scratch: 'x y' }, 'scratch: must be'],
    [{ drill: 'true', keep: 'true' }, 'a drill restores the newest verified backup'],
    [{ database: 'a', keep: 'maybe' }, 'keep: must be true or false'],
    [{ database: 'a', generation: '17' }, 'generation: name the date of the backup too'],
    [{ database: 'a', date: '2026-11-30', generation: '0x1' }, 'generation: must be a generation number'],
    [{ drill: 'true', generation: '17' }, 'a drill restores the newest verified backup: no generation'],
  ])('refuses %j: %s', (query, message) => {
    expect(() => parseRestoreRequest(query, {}, 'UTC')).toThrow(message);
  });
});
