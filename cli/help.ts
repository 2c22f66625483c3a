// The help pages: every command and global option with the exit codes on the main page, and each command's usage
// and options on its own (the exit codes only named there, not repeated).
import { COMMANDS, type Command } from './commands.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { GLOBAL_HELP } from './global-options.js';

/** `--flag VALUE  what it does` lines, their descriptions in one column, indented. */
function columns(lines: readonly string[]): string[] {
  const split = lines.map((line) => {
    const [flag = '', ...rest] = line.split(/ {2,}/);
    return [flag, rest.join('  ')] as const;
  });
  const width = Math.max(...split.map(([flag]) => flag.length));
  return split.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

export function mainHelp(): string {
  const commands = Object.entries(COMMANDS).map(([name, command]) => `${name}  ${command.summary}`);
  return [
    'usage: db-backup [options] <command> [arguments]',
    '',
    'Commands:',
    ...columns([...commands, 'help  this page, or a command’s: db-backup help <command>']),
    '',
    'Options:',
    ...columns(GLOBAL_HELP),
    '',
    'Calls the deployed functions with an identity token from Application Default Credentials',
    '(gcloud auth application-default login). Full reference: cli/README.md.',
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    `usage: db-backup ${command.usage}`,
    '',
    command.summary,
    '',
    'Options:',
    ...columns([...command.optionHelp, ...GLOBAL_HELP]),
    '',
    'Exit codes: 0 when done and fine; db-backup --help lists the others.',
  ].join('\n');
}
