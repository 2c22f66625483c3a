// The in-memory nonce store: each nonce once, forgotten after its signature could no longer verify.
import { describe, expect, it } from 'vitest';
import { InMemoryNonceStore } from '../../../../core/signing/index.js';

const NOW = new Date('2026-03-01T02:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('InMemoryNonceStore', () => {
  it('accepts a nonce once', () => {
    const store = new InMemoryNonceStore();
    expect(store.add('a', at(60), NOW)).toBe(true);
    expect(store.add('a', at(60), at(1))).toBe(false);
    expect(store.add('b', at(60), at(1))).toBe(true);
  });

  it('remembers a nonce up to its moment, then forgets it', () => {
    const store = new InMemoryNonceStore();
    store.add('a', at(60), NOW);
    expect(store.add('a', at(120), at(60))).toBe(false);
    expect(store.add('a', at(120), at(61))).toBe(true);
  });
});
