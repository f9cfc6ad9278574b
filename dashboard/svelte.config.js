import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * The dashboard is a static SPA: the API server serves `build/` at `/` and answers unknown
 * paths with index.html, so every route renders in the browser (ssr = false in the root
 * layout) and nothing is prerendered.
 *
 * @type {import('@sveltejs/kit').Config}
 */
// platform/dashboard-build.ts builds into a folder of its own per source version (DASHBOARD_OUT).
const out = process.env.DASHBOARD_OUT ?? 'build';

const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({
      pages: out,
      assets: out,
      fallback: 'index.html',
      precompress: false,
      strict: true,
    }),
  },
};

export default config;
