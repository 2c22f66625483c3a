import { describe, expect, it } from 'vitest';
import type { ShippedLogFacts } from '../../../../core/binlog-protocol.js';
import { followChain, followingLog, logsUpTo } from '../../../../functions/binlog/chain.js';

/** Log `n` of server `serverId`, its events from minute 10n to minute 10n + 10 of the day, rotated to n + 1. */
function log(n: number, overrides: Partial<ShippedLogFacts> = {}) {
  const file = `binlog.${String(n).padStart(6, '0')}`;
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 0, minute)).toISOString();
  return {
    facts: {
      file,
      size: 1000,
      serverId: 7,
      firstEventAt: at(10 * n),
      lastEventAt: at(10 * n + 10),
      ending: 'rotate' as const,
      next: `binlog.${String(n + 1).padStart(6, '0')}`,
      ...overrides,
    },
  };
}

const start = {
  file: 'binlog.000002',
  position: 1311,
  serverId: 7,
  takenAt: new Date('2026-12-07T00:25:00Z'),
};
const files = (logs: readonly { facts: ShippedLogFacts }[]) => logs.map((l) => l.facts.file);

describe('the chain of logs after a backup', () => {
  it('follows each log to the one its Rotate event names, from the backup’s file on, and reaches the last event', () => {
    const chain = followChain(start, [log(4), log(1), log(3), log(2)]);
    expect(files(chain.logs)).toEqual(['binlog.000002', 'binlog.000003', 'binlog.000004']);
    expect(chain.reachesTo?.toISOString()).toBe('2026-12-07T00:50:00.000Z');
    expect(chain.problems).toEqual([]);
  });

  it('follows a log closed by a shutdown to the next number', () => {
    const chain = followChain(start, [log(2, { ending: 'stop', next: undefined }), log(3)]);
    expect(files(chain.logs)).toEqual(['binlog.000002', 'binlog.000003']);
    expect(followingLog('binlog.999999')).toBe('binlog.1000000');
  });

  it('reaches nothing when no log after the backup has been shipped yet, and that is no problem', () => {
    const chain = followChain(start, [log(1)]);
    expect(chain.logs).toEqual([]);
    expect(chain.reachesTo).toBeNull();
    expect(chain.problems).toEqual([]);
  });

  it('names the missing log when a later one was shipped', () => {
    const chain = followChain(start, [log(2), log(4), log(5)]);
    expect(files(chain.logs)).toEqual(['binlog.000002']);
    expect(chain.reachesTo?.toISOString()).toBe('2026-12-07T00:30:00.000Z');
    expect(chain.problems).toEqual([expect.objectContaining({ kind: 'gap', missing: 'binlog.000003' })]);
    expect(chain.problems[0]?.message).toMatch(/binlog\.000003 was never shipped.*take a full backup now/);
  });

  it('ends where a Rotate event names a log that is not the one shipped under the next number', () => {
    const chain = followChain(start, [log(2, { next: 'other.000001' }), log(3)]);
    expect(files(chain.logs)).toEqual(['binlog.000002']);
    expect(chain.problems).toEqual([]);
  });

  it('sees a server whose identity changed after the backup', () => {
    const chain = followChain(start, [log(2), log(3, { serverId: 8, next: 'binlog.000004' })]);
    expect(files(chain.logs)).toEqual(['binlog.000002']);
    expect(chain.problems).toEqual([expect.objectContaining({ kind: 'server-changed', serverId: 8 })]);
  });

  it('sees log numbers that started over after the backup, but not the logs before it', () => {
    expect(followChain(start, [log(1), log(2)]).problems).toEqual([]);
    const reset = log(1, {
      firstEventAt: '2026-12-07T01:00:00.000Z',
      lastEventAt: '2026-12-07T01:05:00.000Z',
    });
    const chain = followChain(start, [log(2), reset]);
    expect(chain.problems).toEqual([expect.objectContaining({ kind: 'restarted', file: 'binlog.000001' })]);
  });

  it('stops at a log that names one already followed', () => {
    const chain = followChain(start, [log(2), log(3, { next: 'binlog.000002' })]);
    expect(files(chain.logs)).toEqual(['binlog.000002', 'binlog.000003']);
  });
});

describe('the logs a restore to a moment replays', () => {
  const chain = followChain(start, [log(2), log(3), log(4)]);

  it('takes the logs up to the first whose last event is at or after the moment', () => {
    expect(files(logsUpTo(chain, new Date('2026-12-07T00:29:00Z')))).toEqual(['binlog.000002']);
    expect(files(logsUpTo(chain, new Date('2026-12-07T00:30:00Z')))).toEqual(['binlog.000002']);
    expect(files(logsUpTo(chain, new Date('2026-12-07T00:30:01Z')))).toEqual([
      'binlog.000002',
      'binlog.000003',
    ]);
    expect(files(logsUpTo(chain, new Date('2026-12-07T00:50:00Z')))).toHaveLength(3);
  });

  it('refuses a moment past the chain, saying how far it reaches', () => {
    expect(() => logsUpTo(chain, new Date('2026-12-07T00:50:01Z'))).toThrow(
      expect.objectContaining({
        code: 'PITR_UNREACHABLE',
        message: expect.stringMatching(/reach only to 2026-12-07T00:50:00.000Z/),
      }),
    );
    expect(() => logsUpTo(followChain(start, []), new Date('2026-12-07T00:26:00Z'))).toThrow(
      /have not been shipped yet/,
    );
  });
});
