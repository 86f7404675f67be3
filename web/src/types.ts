// Names for the API's answers, taken from the generated OpenAPI types so that they can never
// drift from what the server sends.
import type { paths } from '../../src/client/openapi_types.ts';

type Json<Operation> = Operation extends { responses: { 200: { content: { 'application/json': infer Body } } } }
  ? Body
  : Operation extends { responses: { 201: { content: { 'application/json': infer Body } } } }
    ? Body
    : never;

export type Account = Json<paths['/v1/account']['get']>;
export type Session = Json<paths['/v1/session']['get']>;
export type LedgerEntry = Json<paths['/v1/credits/ledger']['get']>['data'][number];
export type Bundle = Json<paths['/v1/credits/bundles']['get']>['data'][number];
export type CompanyCore = Json<paths['/v1/companies/{id}/core']['get']>;
export type CompanyListItem = Json<paths['/v1/companies']['get']>['data'][number];
export type Company = Json<paths['/v1/companies/{id}']['get']>;
export type Signal = Json<paths['/v1/companies/{id}/signals']['get']>['data'][number];
export type Financial = Json<paths['/v1/companies/{id}/financials']['get']>['data'][number];
export type NewsItem = Json<paths['/v1/companies/{id}/news']['get']>['data'][number];
export type ContactListItem = Json<paths['/v1/contacts']['get']>['data'][number];
export type Contact = Json<paths['/v1/contacts/{id}']['get']>;
export type Subscription = Json<paths['/v1/subscriptions']['get']>['data'][number];
export type ApiKeySummary = Json<paths['/v1/api-keys']['get']>['data'][number];
export type NewApiKey = Json<paths['/v1/api-keys']['post']>;
export type Member = Json<paths['/v1/members']['get']>['data'][number];
export type AdvancedSearch = NonNullable<paths['/v1/companies/search']['post']['requestBody']>['content']['application/json'];
export type OperatorAccountListItem = Json<paths['/admin/v1/accounts']['get']>['data'][number];
export type Plan = Json<paths['/admin/v1/plans']['get']>['data'][number];
export type Site = Json<paths['/v1/sites']['get']>['data'][number];
export type Visitor = Json<paths['/v1/visitors']['get']>['data'][number];
