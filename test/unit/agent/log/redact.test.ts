// The agent's one redactor: known passwords, password-shaped values, URL queries, whole structures.
import { describe, expect, it } from 'vitest';
import { createRedactor, redactDeep } from '../../../../agent/log/redact.js';

describe('createRedactor', () => {
  it('masks every configured secret, longest first, and secrets learnt later', () => {
    const redactor = createRedactor(['hunter2-long', 'hunter2']);
    expect(redactor.redact('a hunter2-long b hunter2 c')).toBe('a [REDACTED] b [REDACTED] c');
    expect(redactor.redact('rotated-pw')).toBe('rotated-pw');
    redactor.add('rotated-pw');
    expect(redactor.redact('x rotated-pw y')).toBe('x [REDACTED] y');
  });

  it('leaves secrets too short to mask safely alone', () => {
    expect(createRedactor(['ab']).redact('table ab')).toBe('table ab');
  });

  it.each([
    ['mysql: password=abc123 rejected', 'mysql: password=[REDACTED] rejected'],
    ['uri (password: "a b c")', 'uri (password: [REDACTED])'],
    ['PGPASSWORD=xyz; exit', 'PGPASSWORD=[REDACTED]; exit'],
    ["{'pwd': 'x'}", "{'pwd': [REDACTED]}"],
  ])('masks password-shaped values a tool may print: %s', (line, expected) => {
    expect(createRedactor().redact(line)).toBe(expected);
  });

  it('masks the query of any URL, where an upload session id lives', () => {
    const redact = createRedactor().redact;
    expect(redact('PUT https://storage.example/upload/o?uploadType=resumable&upload_id=SECRET failed')).toBe(
      'PUT https://storage.example/upload/o?[REDACTED] failed',
    );
    expect(redact('see http://10.0.0.5:8443/v1/jobs')).toBe('see http://10.0.0.5:8443/v1/jobs');
  });

  it('redacts every string inside a structure', () => {
    const redact = createRedactor(['topsecret']).redact;
    expect(redactDeep({ a: 'topsecret', b: ['x topsecret'], c: 3, d: null }, redact)).toEqual({
      a: '[REDACTED]',
      b: ['x [REDACTED]'],
      c: 3,
      d: null,
    });
  });
});
