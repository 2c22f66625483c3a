import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  buildMime,
  decodeHeaderWord,
  encodeHeaderWord,
  toGmailRaw,
} from '../../../../functions/alerts/mime.js';

const message = {
  from: 'backups@example.com',
  to: ['admin@example.com', 'ops@example.com'],
  subject:
    'Backup failed: HospitalDB — Ação urgente ✓ (2025-03-01) with a long tail to force several encoded words',
  text: 'Línea 1\nstderr: «mysqldump: Got error»\n'.repeat(20),
};

describe('MIME', () => {
  it('round-trips through a mail parser: recipients, RFC 2047 subject, UTF-8 body', async () => {
    const mime = buildMime(message, new Date('2025-03-01T02:00:00Z'));
    const parsed = await simpleParser(Buffer.from(mime));
    expect(parsed.from?.text).toBe('backups@example.com');
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((a) => a?.value.map((v) => v.address))).toEqual(message.to);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.text).toBe(message.text);
    expect(parsed.date?.toISOString()).toBe('2025-03-01T02:00:00.000Z');
    expect(parsed.messageId).toMatch(/@example\.com>$/);
  });

  it('keeps header lines within 78 characters and encoded words within 75', () => {
    const mime = buildMime(message, new Date());
    const head = mime.split('\r\n\r\n')[0] ?? '';
    for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    for (const word of head.match(/=\?UTF-8\?B\?[^?]*\?=/g) ?? [])
      expect(word.length).toBeLessThanOrEqual(75);
  });

  it('leaves ASCII subjects readable and strips line breaks that would inject headers', () => {
    expect(encodeHeaderWord('Backup failed: app (2025-03-01)')).toBe('Backup failed: app (2025-03-01)');
    const mime = buildMime({ ...message, subject: 'x\r\nBcc: evil@example.com' }, new Date());
    expect(mime).not.toMatch(/^Bcc:/m);
  });

  it('writes the body as 8-bit UTF-8 that reads as written, each line ending in CRLF', () => {
    const mime = buildMime(message, new Date());
    expect(mime).toContain('Content-Transfer-Encoding: 8bit\r\n');
    const body = mime.split('\r\n\r\n').slice(1).join('\r\n\r\n');
    expect(body).toBe(message.text.replaceAll('\n', '\r\n'));
  });

  it('falls back to quoted-printable for a line longer than a message may carry, and still round-trips', async () => {
    const text = `short line\n${'ção '.repeat(400)}\nend\n`;
    const mime = buildMime({ ...message, text }, new Date());
    expect(mime).toContain('Content-Transfer-Encoding: quoted-printable');
    for (const line of mime.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect((await simpleParser(Buffer.from(mime))).text).toBe(text);
  });

  it('reads back the subject it encoded', () => {
    expect(decodeHeaderWord(encodeHeaderWord(message.subject))).toBe(message.subject);
    expect(decodeHeaderWord('Restore failed: demo (2026-12-07)')).toBe('Restore failed: demo (2026-12-07)');
  });

  it('gives Gmail base64url without padding', () => {
    const raw = toGmailRaw(buildMime(message, new Date()));
    expect(raw).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(raw, 'base64url').toString()).toContain('MIME-Version: 1.0');
  });
});
