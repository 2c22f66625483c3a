import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapInOrder } from '../../../functions/pool.js';

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

  it('starts items in order, one at a time when the concurrency is 1', async () => {
    const started: number[] = [];
    await mapInOrder([1, 2, 3], 1, async (item) => {
      started.push(item);
    });
    expect(started).toEqual([1, 2, 3]);
  });
});
