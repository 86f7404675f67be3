// The one migration set, in order. Each entry is frozen once it has landed on main.
import type { Migration } from 'kysely';
import * as initial from './0001_initial.ts';
import * as search from './0002_search.ts';
import * as users from './0003_users.ts';
import * as nameSearch from './0004_name_search.ts';
import * as visitors from './0005_visitors.ts';
import * as countryWords from './0006_country_words.ts';
import * as technologySearch from './0007_technology_search.ts';
import * as searchDetail from './0008_search_detail.ts';
import * as finalSigma from './0009_final_sigma.ts';

export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_search': search,
  '0003_users': users,
  '0004_name_search': nameSearch,
  '0005_visitors': visitors,
  '0006_country_words': countryWords,
  '0007_technology_search': technologySearch,
  '0008_search_detail': searchDetail,
  '0009_final_sigma': finalSigma,
};
