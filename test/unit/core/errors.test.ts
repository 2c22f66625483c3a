import { describe, expect, it } from 'vitest';
import {
  BackupError,
  ConfigError,
  errorCodeOf,
  HTTP_STATUS_BY_CODE,
  InvalidNameError,
  SignatureError,
} from '../../../core/errors.js';

describe('errors', () => {
  it('keeps the code, the status from the one table, and the cause', () => {
    const cause = new Error('socket hang up');
    const error = new BackupError('AGENT_UNREACHABLE', 'agent did not answer', { cause });
    expect(error.code).toBe('AGENT_UNREACHABLE');
    expect(error.httpStatus).toBe(502);
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it('gives each subclass its fixed code', () => {
    expect(new ConfigError('x').code).toBe('CONFIG_INVALID');
    expect(new InvalidNameError('x').httpStatus).toBe(400);
    expect(new SignatureError('SIGNATURE_EXPIRED', 'x').httpStatus).toBe(401);
  });

  it('answers every signature failure with the same status', () => {
    const statuses = Object.entries(HTTP_STATUS_BY_CODE)
      .filter(([code]) => code.startsWith('SIGNATURE_') || code === 'DIGEST_MISMATCH')
      .map(([, status]) => status);
    expect(new Set(statuses)).toEqual(new Set([401]));
  });

  it('reports INTERNAL for anything that is not ours', () => {
    expect(errorCodeOf(new TypeError('boom'))).toBe('INTERNAL');
    expect(errorCodeOf(new ConfigError('x'))).toBe('CONFIG_INVALID');
  });
});
