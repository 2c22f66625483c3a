// The alerts a command's run left in the local stack's outbox (<data>/outbox), where the local stack delivers them
// instead of mailing anyone: each one's subject and file, for one line on stderr.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeHeaderWord } from '../functions/alerts/mime.js';

export interface WrittenAlert {
  file: string;
  subject: string;
}

/** The mails in the outbox now; none when it does not exist yet. */
export async function outboxMails(dir: string): Promise<Set<string>> {
  const names = await readdir(dir).catch(() => []);
  return new Set(names.filter((name) => name.endsWith('.eml')));
}

/** Mails written since `before` that are about one of `runIds` (each alert names its run). */
export async function alertsOfRuns(
  dir: string,
  before: ReadonlySet<string>,
  runIds: readonly string[],
): Promise<WrittenAlert[]> {
  const alerts: WrittenAlert[] = [];
  for (const name of [...(await outboxMails(dir))].filter((mail) => !before.has(mail)).sort()) {
    const file = join(dir, name);
    const mime = await readFile(file, 'utf8');
    if (!runIds.some((runId) => mime.includes(runId))) continue;
    const head = mime.split(/\r?\n\r?\n/)[0] ?? '';
    // A folded header goes on in lines that start with a space.
    const subject = /^Subject: (.*(?:\r?\n .*)*)/im.exec(head)?.[1] ?? '';
    alerts.push({ file, subject: decodeHeaderWord(subject) });
  }
  return alerts;
}
