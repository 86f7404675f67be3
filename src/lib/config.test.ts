// Proves the environment's parsing: defaults, blank values refused, numbers only in
// decimal, and a bad value refused at start with its name.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({ port: 8080, dataDir: './data', databaseUrl: undefined, rateLimitPerSecond: undefined, databasePoolSize: 10, demo: true });
  });

  it('refuses a setting set to nothing, rather than reading it as 0 or as its default', () => {
    for (const name of ['PORT', 'QUARRY_RATE_LIMIT', 'QUARRY_DB_POOL_SIZE', 'QUARRY_ADMIN_TOKEN', 'QUARRY_DEMO', 'QUARRY_PLANS_FILE']) {
      expect(() => loadConfig({ [name]: ' ' }), name).toThrow(`${name}: is set but empty`);
    }
    // DATABASE_URL has always read blank as unset: SQLite.
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    // Other variables of the environment are none of its business.
    expect(loadConfig({ SOME_OTHER_VARIABLE: '' }).port).toBe(8080);
  });

  it('reads numbers with surrounding spaces', () => {
    expect(loadConfig({ PORT: ' 9000 ', QUARRY_RATE_LIMIT: '2.5 ' })).toMatchObject({ port: 9000, rateLimitPerSecond: 2.5 });
  });

  it('reads numbers written in decimal, fractions only for the rate limit', () => {
    expect(loadConfig({ PORT: '9000', QUARRY_RATE_LIMIT: '0.5', QUARRY_DB_POOL_SIZE: '20' })).toMatchObject({ port: 9000, rateLimitPerSecond: 0.5, databasePoolSize: 20 });
    expect(loadConfig({ QUARRY_RATE_LIMIT: '0' }).rateLimitPerSecond).toBe(0);
  });

  it.each([
    ['PORT', '0x10'],
    ['PORT', '1e3'],
    ['PORT', '80.5'],
    ['PORT', '-1'],
    ['PORT', '70000'],
    ['PORT', 'abc'],
    ['QUARRY_RATE_LIMIT', '0x10'],
    ['QUARRY_RATE_LIMIT', '1e2'],
    ['QUARRY_RATE_LIMIT', '-5'],
    ['QUARRY_RATE_LIMIT', 'Infinity'],
    ['QUARRY_DB_POOL_SIZE', '0'],
    ['QUARRY_DB_POOL_SIZE', '2.5'],
    ['DATABASE_URL', 'mysql://localhost/quarry'],
    ['QUARRY_ADMIN_TOKEN', 'short'],
  ])('refuses %s=%s with a ConfigError naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
