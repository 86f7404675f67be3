// The typed TypeScript client of the Quarry API, exported as `quarry/client`: openapi-fetch over
// the types generated from the OpenAPI document (openapi_types.ts), so a path, its parameters,
// its body and every response are checked at compile time. The tests use it too
// (test/harness/test_app.ts), so it is exercised against the real server on every run.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './openapi_types.ts';

/** The paths of the customer API (`/v1/…`). */
export type CustomerPaths = { [Path in keyof paths as Path extends `/v1/${string}` ? Path : never]: paths[Path] };
/** The paths of the operator API (`/admin/v1/…`). */
export type OperatorPaths = { [Path in keyof paths as Path extends `/admin/v1/${string}` ? Path : never]: paths[Path] };

export type QuarryClient = Client<CustomerPaths>;
export type QuarryOperatorClient = Client<OperatorPaths>;

/** The named schemas of the document: `Schema<'Account'>`, `Schema<'LedgerEntry'>`, `Schema<'Error'>`, … */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];
export type { components, paths };

export interface QuarryClientOptions {
  /** The server's origin, e.g. `http://localhost:8080` (the paths carry `/v1` and `/admin/v1`). */
  baseUrl: string;
  /** Replaces the global fetch (tests pass one that calls the server in process). */
  fetch?: (request: Request) => Promise<Response>;
  /** More headers for every request (e.g. a User-Agent). */
  headers?: Record<string, string>;
}

/** A client of the customer API, authenticated with an API key. */
export function createQuarryClient(options: QuarryClientOptions & { apiKey: string }): QuarryClient {
  return createClient<CustomerPaths>(clientOptions(options, options.apiKey));
}

/** A client of the operator API, authenticated with the operator token (QUARRY_ADMIN_TOKEN). */
export function createQuarryOperatorClient(options: QuarryClientOptions & { adminToken: string }): QuarryOperatorClient {
  return createClient<OperatorPaths>(clientOptions(options, options.adminToken));
}

function clientOptions(options: QuarryClientOptions, token: string) {
  return {
    baseUrl: options.baseUrl,
    headers: { ...options.headers, authorization: `Bearer ${token}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}

/**
 * Imports NDJSON (one record a line, the import format) through the operator API: the text is
 * sent as it is, as application/x-ndjson (openapi-fetch would otherwise send it JSON-encoded).
 * A refused import answers 400 with every invalid line in `error.error.lines`.
 */
export function importCatalog(client: QuarryOperatorClient, type: 'companies' | 'contacts', ndjson: string) {
  const request = { body: ndjson, bodySerializer: (body: string) => body, headers: { 'content-type': 'application/x-ndjson' } };
  return type === 'companies' ? client.POST('/admin/v1/catalog/companies', request) : client.POST('/admin/v1/catalog/contacts', request);
}
