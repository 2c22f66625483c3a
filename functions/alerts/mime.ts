// An RFC 5322 text message as MIME: RFC 2047 encoded subject, a body a person reads with `cat` (8-bit UTF-8), and
// the base64url form Gmail takes.
import { randomUUID } from 'node:crypto';
import { encode as quotedPrintable, wrap as wrapQuotedPrintable } from 'libqp';

export interface MailMessage {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
}

const CRLF = '\r\n';
// 39 bytes make 52 base64 characters: with "=?UTF-8?B?", "?=" and "Subject: " a line stays under 78.
const ENCODED_WORD_BYTES = 39;
/** RFC 5322 §2.1.1: no line of a message may be longer, not counting its CRLF. */
const MAX_LINE_BYTES = 998;

/** No header value may carry a line break: that is how headers get injected. */
function headerValue(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

/** RFC 2047: ASCII stays as is; otherwise UTF-8 B-encoded words, each whole characters, folded. */
export function encodeHeaderWord(value: string): string {
  const clean = headerValue(value);
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  const words: string[] = [];
  let chunk = '';
  for (const char of clean) {
    if (Buffer.byteLength(chunk + char) > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`).join(`${CRLF} `);
}

/** An encoded word of ours back to its text: the inverse of encodeHeaderWord (UTF-8 B-words, folded). */
export function decodeHeaderWord(value: string): string {
  return value
    .replace(/\?=\r?\n? +=\?/g, '?==?')
    .replace(/\r?\n /g, ' ')
    .replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi, (_word, base64: string) =>
      Buffer.from(base64, 'base64').toString('utf8'),
    );
}

/**
 * The body with CRLF line ends, as 8-bit UTF-8 that `cat` shows as written; quoted-printable (libqp) only when a
 * line is longer than a message may carry. Base64 would be valid too, and unreadable without a decoder.
 */
function encodeBody(text: string): { encoding: string; body: string } {
  const lines = text.split(/\r?\n/);
  const body = lines.join(CRLF);
  if (lines.every((line) => Buffer.byteLength(line) <= MAX_LINE_BYTES)) return { encoding: '8bit', body };
  return { encoding: 'quoted-printable', body: wrapQuotedPrintable(quotedPrintable(body)) };
}

/** Addresses on one line when they fit in 78 characters, else one per folded line. */
function addressList(addresses: readonly string[]): string {
  const clean = addresses.map(headerValue);
  const line = clean.join(', ');
  return line.length + 'To: '.length <= 78 ? line : clean.join(`,${CRLF} `);
}

/** RFC 5322 date in UTC, e.g. `Mon, 15 Jan 2024 02:00:00 +0000`. */
function rfc5322Date(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

export function buildMime(message: MailMessage, date: Date): string {
  const domain = message.from.split('@')[1] ?? 'localhost';
  const { encoding, body } = encodeBody(message.text);
  const headers = [
    `From: ${headerValue(message.from)}`,
    `To: ${addressList(message.to)}`,
    `Subject: ${encodeHeaderWord(message.subject)}`,
    `Date: ${rfc5322Date(date)}`,
    `Message-ID: <${randomUUID()}@${headerValue(domain)}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    `Content-Transfer-Encoding: ${encoding}`,
  ];
  return headers.join(CRLF) + CRLF + CRLF + body + (body.endsWith(CRLF) ? '' : CRLF);
}

/** Gmail's `raw`: the whole message, base64url without padding. */
export function toGmailRaw(mime: string): string {
  return Buffer.from(mime).toString('base64url');
}
