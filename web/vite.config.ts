/** Builds the dashboard into dist/web, where Herald serves it at `/`. */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: here('../dist/web'),
    // dist/web lies outside web/, so Vite only empties it when asked.
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    // `npx vite --config web/vite.config.ts` serves the dashboard with live reload against a local Herald.
    proxy: { '/api': 'http://localhost:8071' },
  },
});
