import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// `npm run build:dashboard` runs `vite build dashboard` from the repository root, but
// SvelteKit resolves svelte.config.js, src/ and .svelte-kit/ against the process cwd, and
// reads it when its plugin module is first imported. So move into this folder first and
// only then load the plugin.
// (SvelteKit loads this file again in a worker thread, where chdir is not allowed; the
// worker shares the process's cwd, which is right by then.)
const dashboardDir = resolve(fileURLToPath(new URL('.', import.meta.url)));
if (resolve(process.cwd()) !== dashboardDir) process.chdir(dashboardDir);
const { sveltekit } = await import('@sveltejs/kit/vite');

// Where `vite dev` sends API and live traffic: the platform's HTTP port.
const apiTarget = process.env.DASHBOARD_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      '/api': { target: apiTarget, ws: true, changeOrigin: true },
    },
  },
});
