// The function's attestation of a backup: it holds for exactly the object it was signed for, by a key the function
// trusts (the current one or a retired one), and it is no request signature, nor a request signature one.
import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  type HttpRequest,
  type SigningKey,
  sign,
  verify,
} from '../../../../core/signing/index.js';
import { seal } from '../../../../core/signing/statement.js';
import {
  ATTESTATION_KEY,
  attest,
  attestationKeys,
  attestationProblem,
  factsAttested,
} from '../../../../functions/object/attestation.js';
import { sortProven } from '../../../../functions/object/proven-backups.js';
import type { ObjectInfo } from '../../../../functions/storage/objects.js';

const NOW = new Date('2026-12-07T02:00:00Z');
const current: SigningKey = { id: 'fn-2026', privateKey: generateKeyPair().privateKey };
const retired: SigningKey = { id: 'fn-2025', privateKey: generateKeyPair().privateKey };
const stranger: SigningKey = { id: 'fn-2026', privateKey: generateKeyPair().privateKey };
const keys = attestationKeys(current, {});

const OBJECT: ObjectInfo = {
  name: 'nightly/HospitalDB_20261206.sql.gz',
  generation: '1796663961248000',
  size: 39681,
  crc32c: 'yZRlqg==',
  md5Hash: 'XrY7u+Ae7tCTyyK7j1rNww==',
  timeCreated: '2026-12-06T02:03:04.000Z',
  metageneration: '2',
  metadata: { checkedAt: '2026-12-06T02:04:00.000Z' },
};

function attested(info: ObjectInfo = OBJECT, key = current, bucket = 'acme-backups'): ObjectInfo {
  return { ...info, metadata: { ...info.metadata, ...attest(bucket, info, key, NOW) } };
}

describe('an attestation', () => {
  it('holds for the object it was signed for', () => {
    expect(attestationProblem('acme-backups', attested(), keys)).toBeNull();
  });

  it.each([
    ['another name', { name: 'nightly/HospitalDB_20991231.sql.gz' }],
    ['another generation', { generation: '1796663961248001' }],
    ['another size', { size: 39682 }],
    ['another CRC32C', { crc32c: 'AAAAAA==' }],
    ['another MD5', { md5Hash: 'AAAAAAAAAAAAAAAAAAAAAA==' }],
  ])('does not hold for an object of %s that carries it', (_what, change) => {
    const copied = { ...OBJECT, ...change, metadata: attested().metadata };
    expect(attestationProblem('acme-backups', copied, keys)).toMatch(/was not signed by the key fn-2026/);
  });

  it('does not hold in another bucket', () => {
    expect(attestationProblem('other-bucket', attested(), keys)).toMatch(/was not signed/);
  });

  it('does not hold when signed by another key under the trusted id, or by a key nobody trusts', () => {
    expect(attestationProblem('acme-backups', attested(OBJECT, stranger), keys)).toMatch(/was not signed/);
    expect(attestationProblem('acme-backups', attested(OBJECT, retired), keys)).toMatch(
      /names the key fn-2025, which the function does not trust/,
    );
  });

  it('holds when signed by a retired key the function still trusts', () => {
    const rotated = attestationKeys(current, { 'fn-2025': createPublicKey(retired.privateKey) });
    expect(attestationProblem('acme-backups', attested(OBJECT, retired), rotated)).toBeNull();
  });

  it('is missing from an object that only says it was checked', () => {
    expect(attestationProblem('acme-backups', OBJECT, keys)).toBe(
      'it carries no attestation of the function',
    );
  });
});

describe('an attestation over binary-log facts', () => {
  const BACKUP: ObjectInfo = {
    ...OBJECT,
    metadata: {
      ...OBJECT.metadata,
      binlogFile: 'binlog.000003',
      binlogPosition: '1311',
      binlogServerId: '1',
      binlogGtidDomainId: '0',
    },
  };
  const LOG: ObjectInfo = {
    ...OBJECT,
    name: 'nightly/binlog/HospitalDB/1/binlog.000003.zst',
    metadata: {
      binlogFile: 'binlog.000003',
      binlogSize: '4096',
      binlogServerId: '1',
      binlogFirstEventAt: '2026-12-06T02:00:00.000Z',
      binlogLastEventAt: '2026-12-06T02:05:00.000Z',
      binlogEnding: 'rotate',
      binlogNext: 'binlog.000004',
    },
  };
  const { binlogNext: _next, ...stopped } = LOG.metadata;
  const STOPPED: ObjectInfo = { ...LOG, metadata: { ...stopped, binlogEnding: 'stop' } };
  const changed = (info: ObjectInfo, key: string, value: string | undefined) => {
    const signed = attested(info);
    const metadata = { ...signed.metadata, [key]: value as string };
    if (value === undefined) delete metadata[key];
    return { ...signed, metadata };
  };

  it("proves a backup's start position and a log's facts as they were signed", () => {
    for (const info of [BACKUP, LOG]) {
      expect(attestationProblem('acme-backups', attested(info), keys)).toBeNull();
      expect(factsAttested('acme-backups', attested(info), keys)).toBe(true);
    }
  });

  it('signs the facts a write brings with it, and not the ones it removes', () => {
    const written = { binlogPosition: '2048', binlogGtidDomainId: null };
    const signed = attest('acme-backups', BACKUP, current, NOW, written);
    const { binlogGtidDomainId: _removed, ...kept } = BACKUP.metadata;
    const after = { ...BACKUP, metadata: { ...kept, binlogPosition: '2048', ...signed } };
    expect(factsAttested('acme-backups', after, keys)).toBe(true);
    const stale = { ...after, metadata: { ...after.metadata, binlogGtidDomainId: '0' } };
    expect(factsAttested('acme-backups', stale, keys)).toBe(false);
  });

  it.each([
    ['a changed binlogPosition', BACKUP, 'binlogPosition', '1312'],
    ['a changed binlogFile', BACKUP, 'binlogFile', 'binlog.000002'],
    ['a removed binlogServerId', BACKUP, 'binlogServerId', undefined],
    ['a changed binlogNext', LOG, 'binlogNext', 'binlog.000005'],
    ['a changed binlogLastEventAt', LOG, 'binlogLastEventAt', '2026-12-06T02:09:00.000Z'],
    ['an added binlogNext', STOPPED, 'binlogNext', 'binlog.000009'],
  ])('is broken by %s: neither the object nor its facts are proven', (_what, info, key, value) => {
    const tampered = changed(info, key, value);
    expect(factsAttested('acme-backups', tampered, keys)).toBe(false);
    expect(attestationProblem('acme-backups', tampered, keys)).toMatch(/was not signed by the key fn-2026/);
  });

  it('counts no empty value as a fact: a store may leave one where a write removed a key', () => {
    const signed = attested(BACKUP);
    const left = { ...signed, metadata: { ...signed.metadata, binlogServerUuid: '' } };
    expect(factsAttested('acme-backups', left, keys)).toBe(true);
  });

  it('made before facts were signed, proves the object and none of its facts', () => {
    const attestedAt = NOW.toISOString();
    const { name, generation, size, crc32c, md5Hash } = BACKUP;
    const v1 = seal(
      'db-backup-attestation/v1\n',
      ['acme-backups', name, generation, size, crc32c, md5Hash, attestedAt],
      current,
    );
    const old = {
      ...BACKUP,
      metadata: { ...BACKUP.metadata, attestation: v1.signature, attestedAt, attestedBy: v1.keyId },
    };
    expect(attestationProblem('acme-backups', old, keys)).toBeNull();
    expect(factsAttested('acme-backups', old, keys)).toBe(false);
  });
});

describe('signatures of one kind are never of the other', () => {
  const request: HttpRequest = {
    method: 'GET',
    url: 'http://10.0.0.5:8443/v1/jobs/1',
    headers: { 'content-type': 'application/json' },
    body: '',
  };

  it('a request signature is no attestation', () => {
    const headers = sign(request, current, NOW);
    const signature = /:([^:]+):/.exec(headers.signature)?.[1] as string;
    const forged = attested();
    forged.metadata = { ...forged.metadata, [ATTESTATION_KEY]: signature };
    expect(attestationProblem('acme-backups', forged, keys)).toMatch(/was not signed/);
  });

  it('an attestation is no request signature', () => {
    const headers = sign(request, current, NOW);
    const attestation = attested().metadata[ATTESTATION_KEY] as string;
    const forged = { ...request, headers: { ...request.headers, ...headers } };
    forged.headers.signature = `sig1=:${attestation}:`;
    const store = { add: () => true };
    expect(() => verify(forged, keys, NOW, store)).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_INVALID' }),
    );
  });
});

describe('a target’s backups, proven or not', () => {
  const backup = (date: string, info: ObjectInfo) => ({
    date,
    info: { ...info, name: `HospitalDB_${date}.sql.gz` },
  });
  const ctx = { bucket: 'acme-backups', keys, today: '20261207' };

  it('are proven when attested, or when never checked (claiming nothing); not when dated after today', () => {
    const good = backup('20261206', OBJECT);
    const listing = [
      backup('20991231', OBJECT),
      { ...good, info: attested(good.info) },
      backup('20261205', { ...OBJECT, metadata: {} }),
      backup('20261204', OBJECT),
      backup('20261203', { ...OBJECT, metadata: { checkedAt: 'x', checkFailed: 'crc32c differs' } }),
    ];
    const { proven, unproven } = sortProven(listing, ctx);
    expect(proven.map((b) => b.date)).toEqual(['20261206', '20261205']);
    expect(unproven.map(({ backup: b, why, attestable }) => [b.date, why, attestable])).toEqual([
      ['20991231', 'it is dated 20991231, after today (20261207)', false],
      ['20261204', 'it carries no attestation of the function', true],
      ['20261203', 'it carries no attestation of the function', false],
    ]);
  });
});
