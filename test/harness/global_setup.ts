// Vitest's global setup: runs once per `vitest run`, before any test file. It decides which
// databases the run covers and, when PostgreSQL is one of them, starts one throwaway cluster (or
// uses the server named by QUARRY_TEST_POSTGRES_URL) whose admin URL every test file receives.
//
//   QUARRY_TEST_DATABASES   sqlite,postgres (default) | sqlite | postgres
//   QUARRY_TEST_POSTGRES_URL  an existing server's admin URL; nothing is started or stopped
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './postgres_cluster.ts';

export type TestDatabaseKind = 'sqlite' | 'postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL superuser's URL, or null when the run does not cover PostgreSQL. */
    postgresAdminUrl: string | null;
    /** The databases every store, use-case and route suite runs on, in order. */
    testDatabases: TestDatabaseKind[];
  }
}

const testDatabaseKinds: readonly TestDatabaseKind[] = ['sqlite', 'postgres'];

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const databases = parseTestDatabases(process.env.QUARRY_TEST_DATABASES);
  project.provide('testDatabases', databases);
  if (!databases.includes('postgres')) {
    project.provide('postgresAdminUrl', null);
    return async () => undefined;
  }
  const existingUrl = process.env.QUARRY_TEST_POSTGRES_URL;
  if (existingUrl) {
    project.provide('postgresAdminUrl', existingUrl);
    return async () => undefined;
  }
  const cluster = await startPostgresCluster();
  project.provide('postgresAdminUrl', cluster.url);
  return () => cluster.stop();
}

function parseTestDatabases(value: string | undefined): TestDatabaseKind[] {
  const names = (value ?? 'sqlite,postgres')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !testDatabaseKinds.some((kind) => kind === name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `QUARRY_TEST_DATABASES must be a comma-separated list of ${testDatabaseKinds.join(', ')}; got '${value}'`,
    );
  }
  return testDatabaseKinds.filter((kind) => names.includes(kind));
}
