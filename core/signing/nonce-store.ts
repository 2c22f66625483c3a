// Replay protection: each signature's nonce is accepted once, and remembered only while it could still verify.

export interface NonceStore {
  /**
   * Records `nonce` as used until `until` and answers true, or answers false when it is already recorded.
   * After `until` the signature carrying it fails its time checks anyway, so the store may forget it.
   */
  add(nonce: string, until: Date, now: Date): boolean;
}
