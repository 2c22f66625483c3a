// The pool that runs a run's jobs and a check's targets: order kept, never more at once than asked.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapInOrder } from '../../../core/pool.js';

describe('mapInOrder', () => {
  it('keeps the order of results and never runs more than the concurrency at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapInOrder([30, 5, 20, 1, 10], 2, async (ms, index) => {
      running += 1;
      most = Math.max(most, running);
      await sleep(ms);
      running -= 1;
      return index;
    });
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('with a concurrency of 1, starts each item only after the one before it has finished', async () => {
    const events: string[] = [];
    const releases: (() => void)[] = [];
    const done = mapInOrder([1, 2, 3], 1, async (item) => {
      events.push(`start ${item}`);
      await new Promise<void>((resolve) => releases.push(resolve));
      events.push(`end ${item}`);
    });
    for (let released = 0; released < 3; released++) {
      await sleep(5);
      expect(events.filter((event) => event.startsWith('start'))).toHaveLength(released + 1);
      releases[released]?.();
    }
    await done;
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });
});
