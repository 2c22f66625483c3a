// Where a backup starts in the binary log is taken only from an attestation that covers it: what shipping, verify,
// status and a restore to a moment all follow the chain from.
import { describe, expect, it } from 'vitest';
import { generateKeyPair, type SigningKey } from '../../../../core/signing/index.js';
import { seal } from '../../../../core/signing/statement.js';
import { attestedStart } from '../../../../functions/binlog/backup-starts.js';
import { attest } from '../../../../functions/object/attestation.js';
import type { ObjectInfo } from '../../../../functions/storage/objects.js';

const key: SigningKey = { id: 'fn-2026', privateKey: generateKeyPair().privateKey };
const config = { bucket: 'acme-backups', signingKey: key, retiredSigningKeys: {} };
const NOW = new Date('2026-12-07T02:05:00Z');
const BACKUP: ObjectInfo = {
  name: 'HospitalDB_20261207.sql.gz',
  generation: '1796663961248000',
  size: 39681,
  crc32c: 'yZRlqg==',
  md5Hash: 'XrY7u+Ae7tCTyyK7j1rNww==',
  timeCreated: '2026-12-07T02:03:04.000Z',
  metageneration: '2',
  metadata: {
    binlogFile: 'binlog.000003',
    binlogPosition: '1311',
    binlogServerId: '7',
    binlogGtidDomainId: '0',
  },
};

describe('a backup’s attested start', () => {
  it('is the position the attestation covers, taken when the object was made', () => {
    const signed = {
      ...BACKUP,
      metadata: { ...BACKUP.metadata, ...attest(config.bucket, BACKUP, key, NOW) },
    };
    expect(attestedStart(config, signed)).toEqual({
      file: 'binlog.000003',
      position: 1311,
      serverId: 7,
      takenAt: new Date('2026-12-07T02:03:04.000Z'),
    });
  });

  it('is none where the position was changed after the attestation, or an older attestation never covered it', () => {
    const signed = {
      ...BACKUP,
      metadata: { ...BACKUP.metadata, ...attest(config.bucket, BACKUP, key, NOW) },
    };
    expect(
      attestedStart(config, { ...signed, metadata: { ...signed.metadata, binlogPosition: '4' } }),
    ).toBeNull();
    const attestedAt = NOW.toISOString();
    const { name, generation, size, crc32c, md5Hash } = BACKUP;
    const v1 = seal(
      'db-backup-attestation/v1\n',
      [config.bucket, name, generation, size, crc32c, md5Hash, attestedAt],
      key,
    );
    const old = {
      ...BACKUP,
      metadata: { ...BACKUP.metadata, attestation: v1.signature, attestedAt, attestedBy: v1.keyId },
    };
    expect(attestedStart(config, old)).toBeNull();
  });
});
