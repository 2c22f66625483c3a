// Replay protection: each signature's nonce is accepted once, and remembered only while it could still verify.

export interface NonceStore {
  /**
   * Records `nonce` as used until `until` and answers true, or answers false when it is already recorded.
   * After `until` the signature carrying it fails its time checks anyway, so the store may forget it.
   */
  add(nonce: string, until: Date, now: Date): boolean;
}

/**
 * A NonceStore for one process. Memory stays bounded: only signatures that verified reach the store, and
 * each nonce is dropped once its signature would have expired. The sweep on every add is linear, which is
 * cheap for the handful of requests a backup agent sees within one signature lifetime.
 */
export class InMemoryNonceStore implements NonceStore {
  readonly #until = new Map<string, number>();

  add(nonce: string, until: Date, now: Date): boolean {
    for (const [seen, seenUntil] of this.#until) {
      if (seenUntil < now.getTime()) this.#until.delete(seen);
    }
    if (this.#until.has(nonce)) return false;
    this.#until.set(nonce, until.getTime());
    return true;
  }
}
