// Which requests a fault acts on: method, pattern, uploadType, the nth match and how many times.
import { describe, expect, it } from 'vitest';
import { Faults, faultSpecSchema } from '../../../emulator/faults.js';

const upload = new URL('http://x/upload/storage/v1/b/b/o?uploadType=resumable&upload_id=1');
const get = new URL('http://x/storage/v1/b/b/o/name');

describe('Faults', () => {
  it('acts on the nth matching request only, counting every match', () => {
    const faults = new Faults();
    const fault = faults.add({ method: 'PUT', match: /upload_id/, nth: 2, status: 503 });
    expect(faults.take('GET', get)).toBeUndefined();
    expect(faults.take('PUT', upload)).toBeUndefined();
    expect(faults.take('PUT', upload)?.status).toBe(503);
    expect(faults.take('PUT', upload)).toBeUndefined();
    expect(fault.matched).toBe(3);
  });

  it('matches by uploadType and acts the given number of times', () => {
    const faults = new Faults();
    faults.add({ uploadType: 'resumable', times: 2, delayMs: 5 });
    expect(faults.take('POST', upload)?.delayMs).toBe(5);
    expect(faults.take('PUT', upload)?.delayMs).toBe(5);
    expect(faults.take('PUT', upload)).toBeUndefined();
    faults.clear();
    expect(faults.list()).toEqual([]);
  });
});

describe('faultSpecSchema', () => {
  it('accepts a lost answer and a stall, and refuses a stall that would also answer', () => {
    expect(faultSpecSchema.parse({ method: 'PUT', dropResponse: true })).toEqual({
      method: 'PUT',
      dropResponse: true,
    });
    expect(faultSpecSchema.safeParse({ stall: true, delayMs: 5 }).success).toBe(true);
    const refused = faultSpecSchema.safeParse({ stall: true, status: 503 });
    expect(refused.success).toBe(false);
    expect(refused.error?.message).toContain('stall never answers');
    expect(faultSpecSchema.safeParse({ dropResponse: 'yes' }).success).toBe(false);
  });
});
