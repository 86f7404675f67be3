// Search latency against a server that is already running on a seeded catalog:
//   node --import tsx bench/search_only.ts --origin http://127.0.0.1:8080 --key <api key> --companies 1000000 [--pid <server pid>]
// `npm run bench` runs the same measurements on catalogs it seeds itself.
import { parseArgs } from 'node:util';
import { benchSearch, renderSearch } from './search_bench.ts';

const { values } = parseArgs({
  options: {
    origin: { type: 'string', default: 'http://127.0.0.1:8080' },
    key: { type: 'string' },
    companies: { type: 'string', default: '1000000' },
    pid: { type: 'string' },
  },
});
if (!values.key) throw new Error('--key <api key of an account with api_advanced> is required');
const figures = await benchSearch({
  origin: values.origin,
  apiKey: values.key,
  companies: Number(values.companies),
  serverPid: values.pid === undefined ? undefined : Number(values.pid),
});
process.stdout.write(`${renderSearch(figures)}\n`);
