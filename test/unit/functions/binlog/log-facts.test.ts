import { describe, expect, it } from 'vitest';
import { logFactsMetadata, logFactsOf } from '../../../../functions/binlog/log-facts.js';
import { binlogMetadata, binlogPositionOf } from '../../../../functions/object/binlog-metadata.js';

describe('a shipped log’s facts in its metadata', () => {
  const facts = {
    file: 'binlog.000042',
    size: 1_048_576,
    serverId: 7,
    firstEventAt: '2026-12-07T14:00:00.000Z',
    lastEventAt: '2026-12-07T14:05:00.000Z',
    ending: 'rotate' as const,
    next: 'binlog.000043',
  };

  it('reads back what it wrote, under binlog… keys', () => {
    const metadata = logFactsMetadata(facts);
    expect(Object.keys(metadata).every((key) => key.startsWith('binlog'))).toBe(true);
    expect(logFactsOf({ other: 'x', ...metadata })).toEqual(facts);
    const { next: _, ...stopped } = { ...facts, ending: 'stop' as const };
    expect(logFactsOf(logFactsMetadata(stopped))).toEqual(stopped);
  });

  it('takes metadata with a fact missing or malformed for no log', () => {
    const metadata = logFactsMetadata(facts);
    const { binlogLastEventAt: _, ...withoutLast } = metadata;
    expect(logFactsOf(withoutLast)).toBeNull();
    expect(logFactsOf({ ...metadata, binlogSize: 'big' })).toBeNull();
    expect(logFactsOf({ ...metadata, binlogNext: '../x' })).toBeNull();
  });
});

describe('a backup’s start position in its metadata', () => {
  it('reads back the position the check wrote, and nothing from a backup without one', () => {
    const position = { file: 'binlog.000003', position: 1311, serverId: 7, gtidDomainId: 0 };
    expect(binlogPositionOf({ ...binlogMetadata(position), other: 'x' })).toEqual(position);
    expect(binlogPositionOf({})).toBeNull();
    expect(binlogPositionOf({ ...binlogMetadata(position), binlogPosition: '-1' })).toBeNull();
  });
});
