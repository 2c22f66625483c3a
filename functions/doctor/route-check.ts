// The agent's route to storage as `doctor` judges it: the storage host resolved into the ranges the agent's unit
// admits, then a connection (the TLS handshake an upload makes). The agent checks; the function names the fix.
import type { StorageRoute } from '../../core/protocol.js';
import type { AgentClient } from '../agent/agent-client.js';
import { type DoctorCheck, failed, passed } from './report.js';

const DNS_FIX =
  "the VM must resolve the storage host through the private DNS zone (Terraform's private_google_apis_dns, on by default) to private.googleapis.com's 199.36.153.8-11: `getent ahostsv4 storage.googleapis.com` on the VM shows what it gets. Where the agent's unit admits other addresses (a drop-in's IPAddressAllow), list them in agent.json's uploads.allowedRanges";

const CONNECTION_FIX =
  "Private Google Access must be on for the VM's subnet (Terraform turns it on for the subnet it manages) and the agent's unit must admit the addresses (IPAddressAllow); a certificate error means something on the way intercepts TLS";

function describeAddresses(route: StorageRoute): string {
  const listed = route.addresses.map((entry) => entry.address).join(', ');
  return `${route.host} resolves to ${listed}`;
}

export async function routeCheck(agent: AgentClient, agentUrl: string): Promise<DoctorCheck> {
  const subject = new URL(agentUrl).host;
  let route: StorageRoute;
  try {
    route = await agent.storageRoute(agentUrl);
  } catch (error) {
    return failed(
      subject,
      'route',
      (error as Error).message,
      "install the agent of the function's version (its release archive), then `systemctl restart db-backup-agent`",
    );
  }
  if (route.resolveError !== undefined) {
    return failed(subject, 'route', `${route.host} does not resolve: ${route.resolveError}`, DNS_FIX);
  }
  const outside = route.addresses.filter((entry) => !entry.allowed).map((entry) => entry.address);
  if (outside.length > 0) {
    return failed(
      subject,
      'route',
      `${describeAddresses(route)}: ${outside.join(', ')} outside ${route.allowedRanges.join(', ')}, which the agent's unit drops`,
      DNS_FIX,
    );
  }
  const connection = route.connection as NonNullable<StorageRoute['connection']>;
  const reached = `${describeAddresses(route)}, within ${route.allowedRanges.join(', ')}`;
  if (!connection.ok) {
    const what = connection.kind === 'tls' ? 'the TLS handshake failed' : 'no connection';
    return failed(subject, 'route', `${reached}; ${what}: ${connection.detail}`, CONNECTION_FIX);
  }
  const plain = connection.kind === 'tcp' ? ' (plain HTTP origin: no TLS to check)' : '';
  return passed(subject, 'route', `${reached}; ${connection.detail}${plain}`);
}
