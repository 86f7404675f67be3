// A throwaway PostgreSQL cluster with the durability of a real server. The test harness's
// cluster runs with fsync = off (nothing to protect in a test); a benchmark of charged reads
// measures commits, so here fsync and synchronous_commit are switched back on (both take effect
// on a reload) and checked from a fresh connection before anything is measured. Its shared_buffers
// is a real server's too (serverSharedBuffersMb).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgresCluster } from '../test/harness/postgres_cluster.ts';
import { sleep } from './child_process.ts';

const settingsTimeoutMs = 10_000;

export interface DurableCluster {
  /** The superuser's URL of the maintenance database. */
  readonly adminUrl: string;
  readonly settings: ServerSettings;
  /** The postmaster's process id: its children are the backends (for CPU accounting). */
  readonly postmasterPid: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface ServerSettings {
  server_version: string;
  fsync: string;
  synchronous_commit: string;
  wal_sync_method: string;
  full_page_writes: string;
  shared_buffers: string;
  max_connections: string;
}

/**
 * shared_buffers of the bench's cluster, in MB: enough to hold what search reads most at a
 * million companies (the name documents and their GIN index, 306 MB, the companies' keys, and the
 * pages of the advanced mixes), as a server sized for its data would. With the default, 128 MB,
 * those pages are read from the OS's cache again on every pass (basic q + country p95 9.4–14.6 ms
 * on the 2-core VM against 7.4 ms with 1 GB). A quarter of the memory (6 GB), the usual advice,
 * searched no faster and made the seed a third slower (304–310 s against 225–244 s).
 */
export const serverSharedBuffersMb = 1_024;

export async function startDurableCluster(): Promise<DurableCluster> {
  const cluster = await startPostgresCluster({ settings: { shared_buffers: `${serverSharedBuffersMb}MB` } });
  try {
    await withClient(cluster.url, async (client) => {
      await client.query(`alter system set fsync = on`);
      await client.query(`alter system set synchronous_commit = on`);
      await client.query(`select pg_reload_conf()`);
    });
    const settings = await waitForDurability(cluster.url);
    // initdb ran with --no-sync and the server so far without fsync: flush it all once now, so
    // that the measured checkpoints are only those of the benchmark's own writes.
    await withClient(cluster.url, (client) => client.query('checkpoint'));
    const dataDirectory = await withClient(cluster.url, async (client) => (await client.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory);
    const postmasterPid = Number(readFileSync(join(dataDirectory, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return {
      adminUrl: cluster.url,
      settings,
      postmasterPid,
      createDatabase: async (name) => {
        await withClient(cluster.url, (client) => client.query(`create database ${pg.escapeIdentifier(name)}`));
        const url = new URL(cluster.url);
        url.pathname = `/${name}`;
        return url.toString();
      },
      stop: () => cluster.stop(),
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** A reload reaches new backends asynchronously: ask fresh connections until they see it. */
async function waitForDurability(url: string): Promise<ServerSettings> {
  const deadline = Date.now() + settingsTimeoutMs;
  for (;;) {
    const settings = await readSettings(url);
    if (settings.fsync === 'on' && settings.synchronous_commit === 'on') return settings;
    if (Date.now() > deadline) throw new Error(`PostgreSQL kept fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit}`);
    await sleep(100);
  }
}

async function readSettings(url: string): Promise<ServerSettings> {
  const names = ['server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers', 'max_connections'];
  return withClient(url, async (client) => {
    const result = await client.query<{ name: string; setting: string }>(
      `select name, current_setting(name) as setting from unnest($1::text[]) as name`,
      [names],
    );
    return Object.fromEntries(result.rows.map((row) => [row.name, row.setting])) as unknown as ServerSettings;
  });
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
