// POST /admin/v1/catalog/companies · /contacts: an NDJSON body in the import format of API.md.
// All or nothing: every invalid line is reported with its number and nothing is written.
// The body is streamed to the importer rather than buffered.
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { importCatalog } from '../../app/catalog/import_catalog.ts';
import { fail } from '../../lib/result.ts';
import type { RouteApp } from '../route_app.ts';
import { sendFailure } from '../errors.ts';
import { errorResponse } from '../schemas.ts';
import { ndjsonContentType } from '../openapi.ts';

/** The largest import body accepted over HTTP; larger catalogs go through `quarry import`. */
export const importBodyBytesMax = 2 * 1024 * 1024 * 1024;

class BodyTooLarge extends Error {}

async function* boundedChunks(body: Readable, bytesMax: number): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    bytes += buffer.length;
    if (bytes > bytesMax) throw new BodyTooLarge();
    yield buffer;
  }
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

function registerImportRoutes(app: RouteApp, context: AppContext): void {
  for (const type of ['companies', 'contacts'] as const) {
    app.post(
      `/catalog/${type}`,
      {
        bodyLimit: importBodyBytesMax,
        schema: {
          summary: `Import ${type} (NDJSON)`,
          description: 'Content-Type: application/x-ndjson. One record a line; re-importing a record updates it by id.',
          tags: ['operator'],
          // Documents the NDJSON body (src/http/openapi.ts): the body itself is a stream, read line by line.
          consumes: [ndjsonContentType],
          response: {
            200: importResult,
            400: errorResponse.extend({
              error: errorResponse.shape.error.extend({
                lines: z.array(z.object({ line: z.number().int(), message: z.string(), field: z.string().optional() })).optional(),
              }),
            }),
            413: errorResponse,
          },
        },
      },
      async (request, reply) => {
        const body = request.body as Readable | undefined;
        if (!body || typeof (body as Readable).pipe !== 'function') {
          return sendFailure(request, reply, fail('invalid_request', 'send the records as Content-Type: application/x-ndjson', 'Content-Type'));
        }
        try {
          const result = await importCatalog(context.store, {
            type,
            input: boundedChunks(body, importBodyBytesMax),
            now: context.clock.now(),
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
            },
          });
        } catch (error) {
          if (error instanceof BodyTooLarge) {
            return sendFailure(request, reply, fail('payload_too_large', `the import is larger than ${importBodyBytesMax} bytes`));
          }
          throw error;
        }
      },
    );
  }
}
