// customTime: RFC 3339 in, UTC out, and only ever forward.
import { describe, expect, it } from 'vitest';
import { checkCustomTimeChange, parseCustomTime } from '../../../emulator/custom-time.js';

describe('parseCustomTime', () => {
  it('reads RFC 3339 times with any offset into UTC', () => {
    expect(parseCustomTime('2030-05-01T02:00:00+02:00')).toBe('2030-05-01T00:00:00.000Z');
    expect(parseCustomTime('2030-05-01T00:00:00.25Z')).toBe('2030-05-01T00:00:00.250Z');
  });

  it.each(['2030-05-01', '2030-05-01T00:00:00', 'tomorrow', 42])(
    'refuses %s with 400 naming customTime',
    (value) => {
      expect(() => parseCustomTime(value)).toThrow(
        expect.objectContaining({ status: 400, message: expect.stringContaining('customTime') }),
      );
    },
  );
});

describe('checkCustomTimeChange', () => {
  const set = '2030-05-01T00:00:00.000Z';

  it('allows a first value, the same value and a later one', () => {
    expect(() => checkCustomTimeChange(undefined, '2000-01-01T00:00:00.000Z')).not.toThrow();
    expect(() => checkCustomTimeChange(set, set)).not.toThrow();
    expect(() => checkCustomTimeChange(set, '2030-05-01T00:00:00.001Z')).not.toThrow();
  });

  it("refuses a move back with the service's message, and a removal", () => {
    expect(() => checkCustomTimeChange(set, '2030-04-30T12:30:00.500Z')).toThrow(
      expect.objectContaining({
        status: 400,
        message:
          'Custom time cannot be decreased. Previously: 2030-05-01T00:00:00+00:00. Attempting to set: 2030-04-30T12:30:00.5+00:00.',
      }),
    );
    expect(() => checkCustomTimeChange(set, null)).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => checkCustomTimeChange(undefined, null)).not.toThrow();
  });
});
