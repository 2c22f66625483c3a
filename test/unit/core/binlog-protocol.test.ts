import { describe, expect, it } from 'vitest';
import { closedLogsSchema, shipRequestSchema, shipResultSchema } from '../../../core/binlog-protocol.js';

describe('the binary-log protocol', () => {
  it('takes a listing of closed logs with the server that wrote them', () => {
    const listing = {
      targetId: 'HospitalDB',
      server: { serverId: 7, gtidDomainId: 0 },
      flushedAt: '2026-12-07T14:30:00.000Z',
      logs: [{ file: 'binlog.000041', size: 1048576 }],
    };
    expect(closedLogsSchema.parse(listing)).toEqual(listing);
  });

  it('refuses a log name that could leave its folder or pass as an option', () => {
    const request = {
      size: 1,
      uploadUri: 'https://storage.example/upload',
      compression: { algorithm: 'zstd' },
    };
    expect(shipRequestSchema.safeParse({ ...request, file: 'binlog.000042' }).success).toBe(true);
    for (const file of ['../binlog.000042', '.hidden', '-r', 'a/b', '']) {
      expect(shipRequestSchema.safeParse({ ...request, file }).success, file).toBe(false);
    }
  });

  it('carries the facts of a shipped log only in their own shape', () => {
    const result = {
      ok: true,
      bytesRead: 860,
      bytesUploaded: 400,
      exitCodes: { dump: 0 },
      stderrTail: [],
      log: {
        file: 'binlog.000001',
        size: 860,
        serverId: 7,
        firstEventAt: '2026-12-07T14:00:00.000Z',
        lastEventAt: '2026-12-07T14:05:00.000Z',
        ending: 'rotate',
        next: 'binlog.000002',
      },
    };
    expect(shipResultSchema.parse(result)).toEqual(result);
    expect(
      shipResultSchema.safeParse({ ...result, log: { ...result.log, ending: 'truncated' } }).success,
    ).toBe(false);
  });
});
