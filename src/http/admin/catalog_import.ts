// POST /admin/v1/catalog/companies · /contacts: an NDJSON body in the import format of API.md.
// All or nothing: every invalid line is reported with its number and nothing is written.
// The body is streamed to the importer rather than buffered.
import { createHash, type Hash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import type { Kysely } from 'kysely';
import { importCatalog } from '../../app/catalog/import_catalog.ts';
import type { WriteCounts } from '../../store/catalog_writes.ts';
import type { Database } from '../../store/schema.ts';
import { claimIdempotencyKey, completeIdempotencyKey, type IdempotencyRow } from '../../store/idempotency.ts';
import { idempotencyKeyOf, isFailure, requestFingerprint } from '../idempotency.ts';
import { idempotencyConflict } from '../../app/idempotency/create_once.ts';
import { fail, type Failure } from '../../lib/result.ts';
import type { RouteApp } from '../route_app.ts';
import { answerError, sendFailure } from '../errors.ts';
import { errorResponse } from '../schemas.ts';
import { ndjsonContentType } from '../openapi.ts';

/** The largest import body accepted over HTTP; larger catalogs go through `quarry import`. */
export const importBodyBytesMax = 2 * 1024 * 1024 * 1024;

class BodyTooLarge extends Error {}

const importTooLarge = fail('payload_too_large', `the import is larger than ${importBodyBytesMax} bytes`);

/** zlib's errors for a body that is not gzip, or cut short. */
function isGzipError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED');
}

async function* boundedChunks(body: Readable, bytesMax: number): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    bytes += buffer.length;
    if (bytes > bytesMax) throw new BodyTooLarge();
    yield buffer;
  }
}

/** Passes the chunks on, hashing them: the body's digest, for its Idempotency-Key's fingerprint. */
async function* hashed(chunks: AsyncIterable<Buffer>, digest: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    digest.update(chunk);
    yield chunk;
  }
}

/** Thrown inside the import's transaction when its Idempotency-Key was used before: the import is rolled back. */
class RepeatedKey extends Error {
  constructor(
    readonly row: IdempotencyRow,
    readonly sameRequest: boolean,
  ) {
    super('the Idempotency-Key was used before');
  }
}

/**
 * Claims the import's Idempotency-Key in its transaction, once the whole body is read (the key
 * covers the body, whose digest is only known then) and every record written. A first use keeps
 * the answer; a repeat throws RepeatedKey, which rolls back what it wrote again. Only a
 * successful import keeps its key, as every request does: a refused one can be sent again.
 */
async function claimImportKey(
  tx: Kysely<Database>,
  run: { request: FastifyRequest; key: string; digest: Hash; counts: WriteCounts; now: number },
): Promise<void> {
  // Operator requests about no one account keep their keys under `_operator` (as account creation does).
  const claim = { accountId: '_operator', scope: 'operator' as const, key: run.key, fingerprint: requestFingerprint(run.request, `sha256:${run.digest.digest('hex')}`) };
  const claimed = await claimIdempotencyKey(tx, claim, run.now);
  if (!claimed.claimed) throw new RepeatedKey(claimed.row, claimed.row.fingerprint === claim.fingerprint);
  const { created, updated } = run.counts;
  await completeIdempotencyKey(tx, claim, 200, JSON.stringify({ imported: created + updated, created, updated }));
}

const importResult = z.object({
  imported: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
});

export function registerCatalogImport(app: RouteApp, context: AppContext): void {
  // In a scope of their own: the raw-stream parser must not reach the other operator routes,
  // whose JSON bodies would otherwise arrive as a stream when sent as text/plain.
  void app.register(async (scope: RouteApp) => {
    scope.addContentTypeParser([ndjsonContentType, 'application/ndjson', 'text/plain'], (_request, payload, done) => {
      done(null, payload);
    });
    registerImportRoutes(scope, context);
  });
}

/**
 * The body as it was sent: a gzip body (`Content-Encoding: gzip`, how a large catalog travels
 * best) is decompressed as it streams; the bound then applies to the decompressed bytes too, so
 * a small body cannot expand without limit. Any other encoding is refused.
 */
export function decodedBody(request: Pick<FastifyRequest, 'headers'>, body: Readable): Readable | Failure {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    // pipeline, not pipe: a failure of the upload reaches the decompressed stream's reader.
    const decompressed = pipeline(body, createGunzip(), () => undefined);
    // Broken gzip can show only at its end, after the pipeline has finished and dropped its own
    // listeners, and before the importer starts reading (it first opens its transaction): with no
    // listener that error would end the process. The stream keeps it: the reader still gets it.
    decompressed.on('error', () => undefined);
    return decompressed;
  }
  return fail('invalid_request', `Content-Encoding ${encoding} is not supported: send the NDJSON as it is, or gzip it`, 'Content-Encoding');
}

/**
 * Refuses before the body is read, closing the connection: kept alive, Node would read (and
 * throw away) the whole body first, gigabytes for a body declared too large.
 */
function refuseUnread(request: FastifyRequest, reply: FastifyReply, failure: Failure): FastifyReply {
  reply.header('Connection', 'close');
  return sendFailure(request, reply, failure);
}

function registerImportRoutes(app: RouteApp, context: AppContext): void {
  // Fastify refuses a media type no parser takes before any handler runs: say which one this takes.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return answerError(error, request, reply);
    return sendFailure(request, reply, fail('invalid_request', `unsupported Content-Type: send ${ndjsonContentType}`, 'Content-Type'));
  });
  for (const type of ['companies', 'contacts'] as const) {
    app.post(
      `/catalog/${type}`,
      {
        bodyLimit: importBodyBytesMax,
        schema: {
          summary: `Import ${type} (NDJSON)`,
          description:
            'Content-Type: application/x-ndjson, optionally with Content-Encoding: gzip. One record a line; re-importing a record updates it by id. All or nothing: a refused import (400) lists its invalid lines and writes nothing. With an Idempotency-Key, a successful import keeps its answer: a repeat with the same body gets it again (Idempotent-Replayed: true; what the repeat wrote is rolled back, once its whole body has been read), another body with the key gets 409.',
          tags: ['operator'],
          // Documents the NDJSON body (src/http/openapi.ts): the body itself is a stream, read line by line.
          consumes: [ndjsonContentType],
          response: {
            200: importResult,
            400: errorResponse.extend({
              error: errorResponse.shape.error.extend({
                lines: z.array(z.object({ line: z.number().int(), message: z.string(), field: z.string().optional() })).optional().describe('the first problems, by line number'),
                invalid_lines: z.number().int().optional().describe('how many lines had at least one problem'),
                omitted: z.number().int().optional().describe('problems found beyond those listed'),
              }),
            }),
            409: errorResponse,
            413: errorResponse,
          },
        },
      },
      async (request, reply) => {
        const body = request.body as Readable | undefined;
        if (!body || typeof (body as Readable).pipe !== 'function') {
          return sendFailure(request, reply, fail('invalid_request', `send the records as Content-Type: ${ndjsonContentType}`, 'Content-Type'));
        }
        // A body declared larger than the bound is refused before a byte of it is read.
        if (Number(request.headers['content-length'] ?? 0) > importBodyBytesMax) {
          return refuseUnread(request, reply, importTooLarge);
        }
        const input = decodedBody(request, body);
        if (!(input instanceof Readable)) return refuseUnread(request, reply, input);
        const key = idempotencyKeyOf(request);
        if (isFailure(key)) return refuseUnread(request, reply, key);
        const digest = createHash('sha256');
        try {
          const result = await importCatalog(context.store, {
            type,
            input: hashed(boundedChunks(input, importBodyBytesMax), digest),
            now: context.clock.now(),
            beforeCommit: key === undefined ? undefined : (tx, counts) => claimImportKey(tx, { request, key, digest, counts, now: context.clock.now() }),
          });
          if (result.ok) return { imported: result.imported, created: result.created, updated: result.updated };
          const first = result.errors[0];
          const more = result.omitted > 0 ? `; ${result.omitted} more error(s) not listed` : '';
          return reply.code(400).send({
            error: {
              code: 'invalid_request',
              message: `${result.invalid_lines} invalid line(s); nothing was imported${first ? ` (line ${first.line}: ${first.message})` : ''}${more}`,
              request_id: request.id,
              lines: result.errors,
              invalid_lines: result.invalid_lines,
              omitted: result.omitted,
            },
          });
        } catch (error) {
          if (error instanceof RepeatedKey) {
            // The import it ran again was rolled back: the first request's answer, or a conflict.
            if (!error.sameRequest) return sendFailure(request, reply, idempotencyConflict());
            reply.header('Idempotent-Replayed', 'true');
            // Only a successful import keeps its key, so the answer kept is a 200's.
            return reply.code(200).send(JSON.parse(error.row.response_body) as z.infer<typeof importResult>);
          }
          if (isGzipError(error)) return sendFailure(request, reply, fail('invalid_request', 'the body is not valid gzip', 'Content-Encoding'));
          if (error instanceof BodyTooLarge) {
            return sendFailure(request, reply, importTooLarge);
          }
          throw error;
        }
      },
    );
  }
}
