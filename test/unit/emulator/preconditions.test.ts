// Generation and metageneration preconditions, including ifGenerationMatch=0.
import { describe, expect, it } from 'vitest';
import { checkPreconditions } from '../../../emulator/preconditions.js';

describe('checkPreconditions', () => {
  const live = {
    bucket: 'b',
    name: 'n',
    generation: 7,
    metageneration: 2,
    size: 0,
    crc32c: '',
    md5Hash: '',
    blob: 'x',
    timeCreated: '',
    updated: '',
  };

  it('treats ifGenerationMatch=0 as "must not exist"', () => {
    expect(() => checkPreconditions(undefined, { ifGenerationMatch: 0 })).not.toThrow();
    expect(() => checkPreconditions(live, { ifGenerationMatch: 0 })).toThrow(
      expect.objectContaining({ status: 412 }),
    );
  });

  it('compares generations and metagenerations', () => {
    expect(() => checkPreconditions(live, { ifGenerationMatch: 7, ifMetagenerationMatch: 2 })).not.toThrow();
    expect(() => checkPreconditions(live, { ifGenerationNotMatch: 7 })).toThrow(
      expect.objectContaining({ status: 412 }),
    );
    expect(() => checkPreconditions(live, { ifMetagenerationMatch: 1 })).toThrow(
      expect.objectContaining({ status: 412 }),
    );
  });
});
