// Before the browser tests: the web app must be built from the current sources (the server
// serves web/dist), so build it when it is missing or stale. The browser tests run servers on
// SQLite only (they test the page, not the database), so no PostgreSQL cluster is started; the
// shared harness still expects to be told which databases the run covers.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default function setup(project: TestProject): void {
  project.provide('testDatabases', ['sqlite']);
  project.provide('postgresAdminUrl', null);
  const result = spawnSync(process.execPath, [join(repositoryRoot, 'web', 'scripts', 'build_if_stale.js')], { cwd: repositoryRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building the web app failed (npm run build:web)');
}
