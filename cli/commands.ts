// The commands of `db-backup`: each one's usage, options, and the function call it makes.
import type { ParseArgsConfig } from 'node:util';
import type { FunctionName } from './endpoints.js';
import { CliError, EXIT } from './exit-codes.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  summary: string;
  usage: string;
  /** One line per option. */
  options: Options;
  optionHelp: string[];
  /** The function it calls and the query; `watch` when it waits for a run and shows its progress. */
  call(
    values: Values,
    names: string[],
  ): { name: FunctionName; query: Record<string, string>; watch: boolean };
  show: 'run' | 'list' | 'status' | 'drop' | 'doctor';
}

const usage = (message: string) => new CliError(EXIT.usage, message);

const flags = (values: Values, names: string[]) =>
  Object.fromEntries(names.filter((name) => values[name] === true).map((name) => [name, 'true']));

/** `list` and `status` read the databases named, or all; `list --all`, every generation kept of each backup. */
const readCall =
  (name: 'list' | 'status'): Command['call'] =>
  (values, names) => ({
    name,
    query: {
      ...Object.fromEntries(names.length > 0 ? [['database', names.join(',')]] : []),
      ...flags(values, ['all']),
    },
    watch: false,
  });

export const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'back up now, every database or those named, and wait for the run',
    usage: 'run [db...] [--force] [--dry-run]',
    options: { force: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    optionHelp: [
      '--force    write a new generation even if today’s backup exists',
      '--dry-run  say what would be backed up, start nothing',
    ],
    call: (values, names) => ({
      name: 'backup',
      query: {
        ...(names.length > 0 && { databases: names.join(',') }),
        ...(values.force === true && { force: 'true' }),
        ...(values['dry-run'] === true && { dryRun: 'true' }),
      },
      watch: true,
    }),
    show: 'run',
  },
  verify: {
    summary: 'check that a day’s backups are there and whole (the watchdog, by hand)',
    usage: 'verify [db...] [--date YYYY-MM-DD] [--deep]',
    options: { date: { type: 'string' }, deep: { type: 'boolean' } },
    optionHelp: [
      '--date D  the day whose backups are checked (default: the latest scheduled run’s)',
      '--deep    also read every byte of each backup and compare its hashes with those recorded',
    ],
    call: (values, names) => ({
      name: 'verify',
      query: {
        ...(names.length > 0 && { databases: names.join(',') }),
        ...(typeof values.date === 'string' && { date: values.date }),
        ...flags(values, ['deep']),
      },
      watch: false,
    }),
    show: 'run',
  },
  restore: {
    summary: 'restore a backup into a scratch database, validate it, drop it; or drill every database',
    usage:
      'restore <db> [--date YYYY-MM-DD|latest [--generation N] | --at "YYYY-MM-DD HH:MM"] [--keep] [--scratch NAME]  |  restore --drill [db...]',
    options: {
      date: { type: 'string' },
      generation: { type: 'string' },
      at: { type: 'string' },
      keep: { type: 'boolean' },
      scratch: { type: 'string' },
      drill: { type: 'boolean' },
    },
    optionHelp: [
      '--date D        the backup of that day (default: the newest verified one)',
      '--generation N  of that day’s backup, a generation the bucket still keeps (list --all shows them)',
      '--at MOMENT     as it was at that moment (the configured time zone): the newest backup before it, then its',
      '                MySQL/MariaDB binary logs replayed up to it',
      '--keep          leave the scratch database in place to look at (says where, and the command that drops it)',
      '--scratch NAME  one of the scratch databases the agent allows (default: its first)',
      '--drill         as the weekly drill: the newest verified backup of every database (or those named)',
    ],
    call(values, names) {
      if (values.drill !== true && names.length !== 1)
        throw usage('restore: name one database (or use --drill)');
      return {
        name: 'restore',
        query: {
          ...(names.length > 0 && { [values.drill ? 'databases' : 'database']: names.join(',') }),
          ...(typeof values.date === 'string' && { date: values.date }),
          ...(typeof values.scratch === 'string' && { scratch: values.scratch }),
          ...(typeof values.generation === 'string' && { generation: values.generation }),
          ...(typeof values.at === 'string' && { at: values.at }),
          ...flags(values, ['keep', 'drill']),
        },
        watch: true,
      };
    },
    show: 'run',
  },
  'drop-scratch': {
    summary: 'drop the scratch database a restore --keep left (only one the agent itself kept)',
    usage: 'drop-scratch <db> [--scratch NAME]',
    options: { scratch: { type: 'string' } },
    optionHelp: ['--scratch NAME  the kept scratch database (default: the agent’s first)'],
    call(values, names) {
      if (names.length !== 1) throw usage('drop-scratch: name one database');
      return {
        name: 'restore',
        query: {
          database: names[0] as string,
          dropScratch: 'true',
          ...(typeof values.scratch === 'string' && { scratch: values.scratch }),
        },
        watch: false,
      };
    },
    show: 'drop',
  },
  list: {
    summary: 'every backup with its date, size, class, expiry, and whether it was verified or drilled',
    usage: 'list [db] [--all]',
    options: { all: { type: 'boolean' } },
    optionHelp: [
      '--all  every generation the bucket keeps of each backup, the noncurrent ones too (restore --generation)',
    ],
    call: readCall('list'),
    show: 'list',
  },
  status: {
    summary:
      'each database’s health: last attempt, newest good backup against the schedule, last drill, deep check and restore, problems',
    usage: 'status [db]',
    options: {},
    optionHelp: [],
    call: readCall('status'),
    show: 'status',
  },
  doctor: {
    summary:
      'after a deploy: each agent’s signed ping, route to storage and canary upload, and a test alert mail, each failure with its fix',
    usage: 'doctor',
    options: {},
    optionHelp: [],
    call: () => ({ name: 'doctor', query: {}, watch: false }),
    show: 'doctor',
  },
};
