// The exit codes of `db-backup`, documented in --help and the README: scripts may rely on them.

export const EXIT = {
  /** Done, and everything it covered is fine. */
  ok: 0,
  /** Done, and something failed: a backup, a check, a restore, (status) any problem found, (doctor) any check. */
  failed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** The function could not be reached, did not accept the caller, or answered outside the protocol. */
  unreachable: 3,
  /** The function refused the request: an unknown database, a bad date, a restore it cannot do. */
  refused: 4,
  /** Done with a warning: a backup was kept but looks wrong. */
  warning: 5,
  /** Still running when the function stopped waiting; the agent finishes it, `verify` or `list` shows the end. */
  running: 6,
  /** Stopped by Ctrl-C (SIGINT): 128 + its signal number, as shells report it. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0    done, everything it covered is fine
  1    something failed (a backup, a check, a restore; for status: any problem found; for doctor: any check)
  2    the command line is wrong
  3    the function could not be reached, did not accept the caller, or answered outside the protocol
  4    the function refused the request (unknown database, bad date, ...)
  5    done with a warning: a backup was kept but looks wrong
  6    still running when the function stopped waiting
  130  stopped by Ctrl-C; the message says whether the run goes on or was cancelled`;

/** A failure the command reports with its own exit code and one line for the user. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}
