// Each function target under functions-framework on a free loopback port, as Cloud Run serves one per service, its
// refusals in JSON as deployed.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HttpFunction, http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { answerRefusalsAsJson } from '../functions/http/framework-refusals.js';
import type { Logger } from '../functions/logging/logger.js';

export interface ServedFunctions<N extends string> {
  urls: Record<N, string>;
  close(): Promise<void>;
}

export async function serveFunctions<N extends string>(
  handlers: Record<N, HttpFunction>,
  logger: Logger,
): Promise<ServedFunctions<N>> {
  const servers: Server[] = [];
  const urls = {} as Record<N, string>;
  for (const [name, handler] of Object.entries(handlers) as [N, HttpFunction][]) {
    http(name, handler);
    const server = getTestServer(name);
    answerRefusalsAsJson(server, logger);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }
  return {
    urls,
    close: () =>
      Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((done) => {
              server.closeAllConnections();
              server.close(() => done());
            }),
        ),
      ).then(() => undefined),
  };
}
