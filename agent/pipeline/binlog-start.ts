// Where a MySQL/MariaDB backup starts in its server's binary log: before the dump, the server is asked whether it keeps
// a binary log and who it is; where it does, the dump writes its snapshot's position (--master-data=2) and the
// position is read from the dump's first bytes. A server without binary logging is backed up as before, with no
// position: nightly backups never depend on point-in-time recovery being set up, nor on the settings being readable.
import { basename } from 'node:path';
import type { BinlogPosition } from '../../core/protocol.js';
import type { DumpCommand } from '../engines/index.js';
import { type BinlogSettings, parseBinlogSettings, positionInHead } from '../engines/mysql-binlog.js';
import type { Redact } from '../log/redact.js';
import { runStep } from '../restore/run-step.js';
import { StderrTail } from './stderr-tail.js';

/** The settings, or the lines that say why they could not be read; the backup goes on without a position then. */
export interface SettingsRead {
  settings?: BinlogSettings;
  /** The client's stderr (redacted) and what became of the position, prefixed like the tools' lines of the tail. */
  notes: string[];
}

/**
 * What the client prints, run to its end; an Error saying why not — `asking` what, and the client's stderr (redacted)
 * — when it does not exit 0.
 */
export async function askServer(
  command: DumpCommand,
  asking: string,
  redact: Redact,
  signal: AbortSignal,
): Promise<string> {
  const tail = new StderrTail(3, redact);
  let why: string;
  try {
    const result = await runStep(command, tail, signal);
    if (result.code === 0) return result.stdout;
    const said = tail.tail.length ? ` (${tail.tail.join('; ')})` : '';
    why = `exit ${result.code ?? 'by a signal'} ${asking}${said}`;
  } catch (error) {
    why = redact((error as Error).message);
  }
  throw new Error(why);
}

/** The server's settings, asked with the client; an Error saying why not, the client's stderr (redacted) with it. */
export async function askBinlogSettings(
  command: DumpCommand,
  redact: Redact,
  signal: AbortSignal,
): Promise<BinlogSettings> {
  return parseBinlogSettings(await askServer(command, 'asking for log_bin and server_id', redact, signal));
}

/**
 * Never throws: a server the client cannot ask (a wrong password, no client installed) is backed up all the same —
 * the dump then fails of itself with its own words, or succeeds without a position, and the notes say why.
 */
export async function readBinlogSettings(
  command: DumpCommand,
  redact: Redact,
  signal: AbortSignal,
): Promise<SettingsRead> {
  const label = basename(command.file);
  let settings: BinlogSettings;
  try {
    settings = await askBinlogSettings(command, redact, signal);
  } catch (error) {
    return { notes: [`${label}: ${(error as Error).message}; the backup records no binary-log position`] };
  }
  if (settings.enabled && !settings.fromSnapshot) {
    // Not tested here (no MySQL server): see fromSnapshot; the design notes say what it would take.
    return { notes: [`${label}: a MySQL server's binary-log position is not recorded (MariaDB's only)`] };
  }
  return { settings, notes: [] };
}

/** The backup's position: the one its dump's head names, of the server the settings name; undefined without one. */
export function binlogPosition(settings: BinlogSettings, head: Buffer): BinlogPosition | undefined {
  const found = positionInHead(head.toString('latin1'));
  return found && { ...found, ...settings.server };
}
