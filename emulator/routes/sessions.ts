// Resumable upload sessions: chunks and status queries by PUT, cancellation by DELETE.
import { Readable } from 'node:stream';
import { CHUNK_QUANTUM } from '../../core/upload-session.js';
import { parseContentRange } from '../content-range.js';
import type { RequestContext } from '../context.js';
import { finalizeObject } from '../finalize.js';
import { parseGoogHash } from '../hashes.js';
import { drain, sendEmpty, sendJson } from '../http-io.js';
import { ApiError, badRequest } from '../json-errors.js';
import type { SessionRecord } from '../model.js';
import { objectResource } from '../resources.js';
import { hashedAsStored } from '../running-hash.js';

export async function putToSession(ctx: RequestContext): Promise<void> {
  // The session is looked up in its turn: a request queued behind a failing final chunk finds it gone.
  await ctx.uploads.inTurn(sessionId(ctx), () => writeToSession(ctx, findSession(ctx)));
}

async function writeToSession(ctx: RequestContext, session: SessionRecord): Promise<void> {
  if (session.state === 'done' && session.result) {
    // A client that lost the final answer asks again and is told the object it made: a status check of a
    // completed upload answers 200 OK (or 201 Created) with the object's metadata, as Cloud Storage's
    // "Perform resumable uploads" page says under "Check the status of a resumable upload".
    await drain(ctx.body);
    sendJson(ctx.res, 200, objectResource(session.result, ctx.baseUrl, ctx.catalog));
    return;
  }
  const request = parseContentRange(ctx.req.headers['content-range']);
  const persisted = await ctx.store.stagedLength(session.id);
  if (request.kind === 'query') {
    await drain(ctx.body);
    if (request.total === persisted) return finish(ctx, session);
    return sendIncomplete(ctx, persisted);
  }
  const { start, end, total } = request;
  const finalChunk = end === undefined || (total !== undefined && end + 1 === total);
  if (start > persisted) {
    await drain(ctx.body);
    throw badRequest(
      `Invalid request: the upload has ${persisted} bytes but this chunk starts at byte ${start}.`,
    );
  }
  if (end !== undefined && !finalChunk && (end - start + 1) % CHUNK_QUANTUM !== 0) {
    await drain(ctx.body);
    throw badRequest(`Invalid request: a non-final chunk must be a multiple of ${CHUNK_QUANTUM} bytes.`);
  }
  const hash = await ctx.uploads.hashOf(session.id, persisted);
  hash.markStart();
  try {
    // A retried chunk may overlap what is already persisted; the overlap is skipped.
    await ctx.store.append(
      session.id,
      Readable.from(hashedAsStored(skip(ctx.body, persisted - start), hash)),
    );
  } catch (error) {
    // The connection broke mid-chunk: keep what arrived, in whole units, for the client to resume from.
    const received = await ctx.store.stagedLength(session.id);
    await cutBack(ctx, session.id, received - (received % CHUNK_QUANTUM));
    throw error;
  }
  const length = await ctx.store.stagedLength(session.id);
  if (total !== undefined && length > total) {
    await cutBack(ctx, session.id, persisted);
    throw badRequest(`Invalid request: more than the declared ${total} bytes were sent.`);
  }
  const complete = total === undefined ? end === undefined : length === total;
  if (complete) return finish(ctx, session);
  sendIncomplete(ctx, length);
}

/** Truncates the staged bytes and winds their running hash back with them. */
async function cutBack(ctx: RequestContext, id: string, length: number): Promise<void> {
  await ctx.store.truncate(id, length);
  ctx.uploads.rewind(id, length);
}

export async function cancelSession(ctx: RequestContext): Promise<void> {
  await ctx.uploads.inTurn(sessionId(ctx), async () => {
    const session = findSession(ctx);
    await ctx.catalog.mutate(() => {
      session.state = 'cancelled';
    });
    ctx.uploads.forget(session.id);
    await ctx.store.discardStaged(session.id);
  });
  throw cancelled();
}

async function finish(ctx: RequestContext, session: SessionRecord): Promise<void> {
  try {
    const hash = await ctx.uploads.hashOf(session.id, await ctx.store.stagedLength(session.id));
    const object = await finalizeObject(ctx, {
      bucket: session.bucket,
      name: session.name,
      blob: session.id,
      received: hash.digest(),
      attrs: session.attrs,
      preconditions: session.preconditions,
      claimed: { ...session.claimed, ...parseGoogHash(ctx.req.headers['x-goog-hash']) },
    });
    await ctx.catalog.mutate(() => {
      session.state = 'done';
      session.result = object;
    });
    sendJson(ctx.res, 200, objectResource(object, ctx.baseUrl, ctx.catalog));
  } catch (error) {
    // A session that fails to finalize (412, hash mismatch) is over and leaves no object, as on the service.
    await ctx.catalog.mutate((data) => {
      delete data.sessions[session.id];
    });
    throw error;
  } finally {
    ctx.uploads.forget(session.id);
  }
}

function sessionId(ctx: RequestContext): string {
  return ctx.url.searchParams.get('upload_id') ?? '';
}

function findSession(ctx: RequestContext): SessionRecord {
  const session = ctx.catalog.data.sessions[sessionId(ctx)];
  if (!session || session.bucket !== ctx.params[0]) throw new ApiError(404, 'No such upload session.');
  if (session.state === 'cancelled') throw cancelled();
  return session;
}

function cancelled(): ApiError {
  return new ApiError(499, 'The upload session was cancelled.');
}

/** 308 "Resume Incomplete", with the persisted range when there is one. */
function sendIncomplete(ctx: RequestContext, persisted: number): void {
  sendEmpty(ctx.res, 308, persisted > 0 ? { Range: `bytes=0-${persisted - 1}` } : {});
}

function skip(body: Readable, count: number): Readable {
  if (count <= 0) return body;
  return Readable.from(
    (async function* () {
      let left = count;
      for await (const chunk of body) {
        const buffer = chunk as Buffer;
        if (left >= buffer.length) left -= buffer.length;
        else {
          yield buffer.subarray(left);
          left = 0;
        }
      }
    })(),
  );
}
