// Builds the web app into web/dist, which the API server serves at `/` (src/http/web_app.ts).
// `npm run dev:web` serves it with hot reload and forwards the API paths to a Quarry server on
// QUARRY_API_URL (default http://localhost:8080), so the page and the API share one origin as
// in production and the session cookie works unchanged.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const apiUrl = process.env.QUARRY_API_URL ?? 'http://localhost:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/v1': { target: apiUrl, changeOrigin: false },
      '/admin/v1': { target: apiUrl, changeOrigin: false },
      '/docs': apiUrl,
      '/openapi.json': apiUrl,
    },
  },
});
