// GET /v1/ip/{address}: IP enrichment. The company whose most specific range holds an IPv4 or
// IPv6 address, as core identifiers; 404 when none does. Free; needs `api_basic`.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { findCompanyByAddress } from '../../../app/search/find_company_by_address.ts';
import { addressTextLengthMax } from '../../../domain/catalog/ip_ranges.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireFeature } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { errorResponse } from '../../schemas.ts';
import { companyCoreSchema } from './companies_list.ts';

export const ipParams = z.object({
  address: z.string().min(1).max(addressTextLengthMax).describe('an IPv4 or IPv6 address, e.g. 192.0.2.10 or 2001:db8::1'),
});

export const ipResponse = z.object({
  data: companyCoreSchema,
  range: z.string().describe('the CIDR range of the company that holds the address'),
});

export function registerIpGet(app: RouteApp, context: AppContext): void {
  app.get(
    '/ip/:address',
    {
      schema: {
        summary: 'Find the company owning an IP address',
        description: 'The most specific catalog range holding the address decides. Free; needs api_basic.',
        tags: ['search'],
        params: ipParams,
        response: { 200: ipResponse, 400: errorResponse, 403: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!requireFeature(request, reply, principal.channelFeature)) return reply;
      const result = await findCompanyByAddress(context, { accountId: principal.account.id, address: request.params.address });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.company, range: result.range };
    },
  );
}
