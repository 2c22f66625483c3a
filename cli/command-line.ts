// What the admin typed, read: `help [command]`, `--version`, or a command with its options and arguments. Node's own
// parser (util.parseArgs) splits the words; every mistake is then named here, in the tool's words and with the
// nearest right spelling, because parseArgs's messages speak of positionals and `--` and quote unevenly.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { COMMANDS, type Command } from './commands.js';
import { CliError, EXIT } from './exit-codes.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import { didYouMean } from './suggest.js';

type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export type CommandLine =
  | { kind: 'help'; command?: string }
  | { kind: 'version' }
  | { kind: 'usage' }
  | { kind: 'command'; name: string; command: Command; values: Values; positionals: string[] };

const usage = (message: string) => new CliError(EXIT.usage, message);

/** Where the command's name is: the first word that is neither an option nor a global option's value; -1 if none. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--data' || arg === '--functions' || arg === '--via') i++;
    else if (!arg.startsWith('-')) return i;
  }
  return -1;
}

/** The command of that name, or a usage error with the nearest one. */
export function commandNamed(name: string): Command {
  const command = COMMANDS[name];
  if (command) return command;
  const names = Object.keys(COMMANDS);
  throw usage(
    `unknown command ${name}${didYouMean(name, [...names, 'help'])}; the commands are ${names.join(', ')} (db-backup --help)`,
  );
}

/** Every option the words name is one of `options`, with a value exactly when it takes one; else a usage error. */
export function checkOptions(args: string[], options: Options, where: string): void {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  const known = Object.keys(options).map((name) => `--${name}`);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (!option)
      throw usage(`unknown option ${token.rawName} for ${where}${didYouMean(token.rawName, known)}`);
    if (option.type === 'string' && token.value === undefined)
      throw usage(`${token.rawName} needs a value (${where})`);
    if (option.type === 'boolean' && token.inlineValue)
      throw usage(`${token.rawName} takes no value (${where})`);
  }
}

export function readCommandLine(argv: readonly string[]): CommandLine {
  const at = commandIndex(argv);
  const name = argv[at];
  const rest = argv.filter((_arg, index) => index !== at);
  if (name === undefined || name === 'help') {
    checkOptions(rest, GLOBAL_OPTIONS, 'db-backup');
    const { values, positionals } = parseArgs({
      args: rest,
      options: GLOBAL_OPTIONS,
      allowPositionals: true,
    });
    if (values.version) return { kind: 'version' };
    const [topic] = positionals;
    if (topic !== undefined) commandNamed(topic);
    if (name === 'help' || values.help) return { kind: 'help', ...(topic && { command: topic }) };
    return { kind: 'usage' };
  }
  const command = commandNamed(name);
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  checkOptions(rest, options, name);
  const { values, positionals } = parseArgs({ args: rest, options, allowPositionals: true });
  if (values.version) return { kind: 'version' };
  if (values.help) return { kind: 'help', command: name };
  return { kind: 'command', name, command, values, positionals };
}
