// What every route handler is given: the emulator's parts and the request it answers.
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { ActiveUploads } from './active-uploads.js';
import type { Catalog } from './catalog.js';
import type { Faults } from './faults.js';
import type { BlobStore } from './store/blob-store.js';

export interface Services {
  catalog: Catalog;
  store: BlobStore;
  faults: Faults;
  uploads: ActiveUploads;
  /** Public keys of the service accounts whose V4 signed URLs are honoured, by e-mail. */
  signedUrlKeys: ReadonlyMap<string, KeyObject>;
}

export interface RequestContext extends Services {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The request body; read this, not `req`, so injected faults can cut it short. */
  body: Readable;
  /** Scheme, host and port as the client addressed us, for links in resources. */
  baseUrl: string;
  /** Decoded path parameters captured by the route. */
  params: string[];
}

export type Handler = (ctx: RequestContext) => Promise<void>;
