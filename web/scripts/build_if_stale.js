// Builds the web app when web/dist is missing or older than any source of the app, so that
// `npm start` after editing web/ (or after a pull) never serves a stale page. `npm install`
// builds it anyway (the `prepare` script); this only covers the later starts.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtPage = join(webDirectory, 'dist', 'index.html');
const sources = ['index.html', 'vite.config.ts', 'src', '../src/client/openapi_types.ts'];

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

const sourceChanged = Math.max(...sources.map((source) => join(webDirectory, source)).filter(existsSync).map(newestChange));
if (existsSync(builtPage) && statSync(builtPage).mtimeMs >= sourceChanged) process.exit(0);

console.log('Building the web app (web/ changed since the last build)…');
const result = spawnSync('npx', ['vite', 'build', '--config', join(webDirectory, 'vite.config.ts'), '--logLevel', 'warn'], {
  stdio: 'inherit',
  // A test runner's NODE_ENV=test would make Vite bundle React's development build.
  env: { ...process.env, NODE_ENV: 'production' },
});
process.exit(result.status ?? 1);
