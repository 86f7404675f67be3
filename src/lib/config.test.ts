// Proves the environment's parsing: defaults, blank values read as unset, numbers only in
// decimal, and a bad value refused at start with its name.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({ port: 8080, dataDir: './data', databaseUrl: undefined, rateLimitPerSecond: undefined, databasePoolSize: 10, demo: true });
  });

  it('reads a variable set to nothing as unset, not as 0 (a random port, rate limiting off)', () => {
    const config = loadConfig({ PORT: '', QUARRY_RATE_LIMIT: '', QUARRY_DB_POOL_SIZE: ' ', DATABASE_URL: '', QUARRY_ADMIN_TOKEN: '', QUARRY_DEMO: '' });
    expect(config).toMatchObject({ port: 8080, rateLimitPerSecond: undefined, databasePoolSize: 10, databaseUrl: undefined, adminToken: undefined, demo: true });
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
