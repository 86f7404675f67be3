// The operator token: QUARRY_ADMIN_TOKEN when set; otherwise one generated at first start and
// kept in the data directory (readable by its owner only), so restarts keep the same token.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newSecret } from '../../lib/ids.ts';

export const adminTokenFile = 'admin_token';

export function resolveAdminToken(options: { adminToken: string | undefined; dataDir: string }): {
  token: string;
  source: 'environment' | 'file' | 'generated';
  path?: string;
} {
  if (options.adminToken) return { token: options.adminToken, source: 'environment' };
  const path = join(options.dataDir, adminTokenFile);
  if (existsSync(path)) return { token: readFileSync(path, 'utf8').trim(), source: 'file', path };
  mkdirSync(options.dataDir, { recursive: true });
  const token = newSecret('qop');
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, source: 'generated', path };
}
