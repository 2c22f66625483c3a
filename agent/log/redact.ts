// Scrubs secrets out of text bound for a log line, a job status, an HTTP answer or a tool's stderr tail: the
// passwords read so far, anything shaped like `password=…` or `password: …` (whatever a tool printed), and the query
// of any URL (an upload session URI is a capability, and its upload_id is the secret part).

const MASK = '[REDACTED]';
/** Shorter secrets would mask ordinary words; config parsing refuses passwords this short instead. */
export const MIN_REDACTED_LENGTH = 4;
const URL_QUERY = /\b(https?:\/\/[^\s"'?#]*)\?[^\s"']*/gi;
const KEY_VALUE = /(pass(?:word)?|pwd|secret|token)(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s)\]},;]+)/gi;

export type Redact = (text: string) => string;

/** A redactor that learns secrets as they are read (a password file is read again at each job). */
export interface Redactor {
  redact: Redact;
  add(secret: string): void;
}

export function createRedactor(secrets: readonly string[] = []): Redactor {
  // Kept longest first, so a secret containing another is masked whole.
  let masked: string[] = [];
  const add = (secret: string): void => {
    if (secret.length < MIN_REDACTED_LENGTH || masked.includes(secret)) return;
    masked = [...masked, secret].sort((a, b) => b.length - a.length);
  };
  for (const secret of secrets) add(secret);
  return {
    add,
    redact: (text) => {
      let out = text;
      for (const secret of masked) out = out.split(secret).join(MASK);
      return out.replace(KEY_VALUE, `$1$2${MASK}`).replace(URL_QUERY, `$1?${MASK}`);
    },
  };
}

/** A copy of `value` with every string inside it redacted, for structured log fields. */
export function redactDeep<T>(value: T, redact: Redact): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)]),
    ) as T;
  }
  return value;
}
