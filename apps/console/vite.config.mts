/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The console is served by config-api at /console (same origin as the REST API, so no CORS).
// `vite --config apps/console/vite.config.ts` (dev) proxies /v1 to a config-api on :3000.
export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL('../../dist/apps/console', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/v1': process.env.CONSOLE_API_URL ?? 'http://127.0.0.1:3000' } },
  test: {
    root,
    environment: 'jsdom',
    include: ['src/**/*.spec.ts', 'src/**/*.spec.tsx'],
    setupFiles: ['src/test-setup.ts'],
    css: false,
  },
});
