// Key helpers: Ed25519 keys from PEM or freshly generated; anything else is a configuration error.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../../../../core/signing/index.js';

describe('keys', () => {
  it('generates an Ed25519 pair that loads back from PEM', () => {
    const { privateKey, publicKey } = generateKeyPair();
    expect(privateKey.asymmetricKeyType).toBe('ed25519');
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(loadPrivateKey(privatePem).equals(privateKey)).toBe(true);
    expect(loadPublicKey(publicPem).equals(publicKey)).toBe(true);
  });

  it('refuses a key of another type', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => loadPrivateKey(privatePem)).toThrow(/ec key, not an Ed25519 key/);
    expect(() => loadPublicKey(publicPem)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('refuses what is not a PEM key', () => {
    expect(() => loadPrivateKey('not a key')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => loadPublicKey('')).toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });
});
