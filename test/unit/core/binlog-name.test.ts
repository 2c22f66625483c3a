import { describe, expect, it } from 'vitest';
import { binlogFolder, binlogObjectName, parseBinlogObjectName } from '../../../core/binlog-name.js';

describe('binlog object names', () => {
  const log = {
    database: 'HospitalDB',
    serverId: 7,
    file: 'binlog.000042',
    compression: 'zstd',
    encrypted: true,
  } as const;

  it('shows the target, the server and the log file, and reads back to the same log', () => {
    const name = binlogObjectName('nightly/', log);
    expect(name).toBe('nightly/binlog/HospitalDB/7/binlog.000042.zst.age');
    expect(name.startsWith(binlogFolder('nightly/', 'HospitalDB', 7))).toBe(true);
    expect(parseBinlogObjectName('nightly/', name)).toEqual(log);
    const plain = binlogObjectName('', { ...log, compression: 'gzip', encrypted: false });
    expect(plain).toBe('binlog/HospitalDB/7/binlog.000042.gz');
    expect(parseBinlogObjectName('', plain)).toEqual({ ...log, compression: 'gzip', encrypted: false });
  });

  it('takes no backup, no other prefix and no malformed name for a log', () => {
    for (const name of [
      'HospitalDB_20261207.sql.gz',
      'nightly/binlog/HospitalDB/7/binlog.000042.zst',
      'binlog/HospitalDB/07/binlog.000042.zst',
      'binlog/HospitalDB/7/binlog.000042',
      'binlog/HospitalDB/7/extra/binlog.000042.zst',
      'binlog/Hospital DB/7/binlog.000042.zst',
      'binlog/HospitalDB/7/.zst',
    ]) {
      expect(parseBinlogObjectName('', name), name).toBeNull();
    }
  });
});
