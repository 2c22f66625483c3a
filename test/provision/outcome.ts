// What provisioning found or did for one thing the tests need, as tests and the summary line read it.

export type Provision =
  /** There, or made now (with the build's figures). */
  | {
      state: 'ready';
      detail: string;
      paths?: Record<string, string>;
      built?: { seconds: number; cpuSeconds?: number; peakMiB?: number };
    }
  /** This machine cannot provide it (not root, no Go, a registry that does not serve it): `command` would. */
  | { state: 'unavailable'; reason: string; command: string }
  /** This machine could have provided it and did not: `npm test` fails. */
  | { state: 'failed'; reason: string };

/** Everything provisioned, by name: `debian:<package>`, a Go tool's name, `terraform`, `provider:<type>`. */
export type Manifest = Record<string, Provision>;

// The global setup hands the manifest to the test files (`inject('provisioned')`).
declare module 'vitest' {
  export interface ProvidedContext {
    provisioned: Manifest;
  }
}

/** The one line the summary prints for an entry. */
export function describeProvision(name: string, provision: Provision): string {
  switch (provision.state) {
    case 'ready': {
      const built = provision.built;
      const cpu = built?.cpuSeconds ? `, ${built.cpuSeconds} s of CPU` : '';
      const peak = built?.peakMiB === undefined ? '' : `, peak ${built.peakMiB} MiB`;
      const figures = built ? ` (built in ${built.seconds} s${cpu}${peak})` : '';
      return `provision: ${name}: ${provision.detail}${figures}`;
    }
    case 'unavailable':
      return `provision: NOT PROVISIONED ${name}: ${provision.reason}; to provide it run: ${provision.command}`;
    case 'failed':
      return `provision: FAILED ${name}: ${provision.reason}`;
  }
}

// Network failures of a package client (Go and apt-get in words, npm by its error codes): the registry could not be
// reached, which no retry here can fix.
const UNREACHABLE =
  /dial tcp|no such host|i\/o timeout|connection refused|TLS handshake timeout|Temporary failure resolving|Could not resolve|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/;

/** A failed step, or an unavailable one when its output says the registry could not be reached. */
export function failure(reason: string, tail: string, command: string): Provision {
  if (UNREACHABLE.test(tail))
    return {
      state: 'unavailable',
      reason: `the registry could not be reached: ${tail.split('\n').at(-1)}`,
      command,
    };
  return { state: 'failed', reason: `${reason}\n${tail}` };
}
