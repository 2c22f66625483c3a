// Alerts as .eml files in a folder: how the local stack delivers them when Gmail is not configured. Each is a mail a
// person reads with `cat`, and `onWritten` hears of it (`npm start -- --watch` prints a line).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mailer } from './mailer.js';
import { buildMime } from './mime.js';

export interface OutboxMailerOptions {
  dir: string;
  now?: () => Date;
  onWritten?: (alert: { file: string; subject: string }) => void;
}

export function createOutboxMailer(options: OutboxMailerOptions): Mailer {
  const now = options.now ?? (() => new Date());
  let sequence = 0;
  return {
    async send(message) {
      const date = now();
      await mkdir(options.dir, { recursive: true });
      // Sortable by time; the sequence keeps two alerts of the same millisecond apart.
      const stamp = date.toISOString().replace(/[:.]/g, '-');
      sequence += 1;
      const file = join(options.dir, `${stamp}-${process.pid}-${sequence}.eml`);
      await writeFile(file, buildMime(message, date), { flag: 'wx' });
      options.onWritten?.({ file, subject: message.subject });
    },
  };
}
