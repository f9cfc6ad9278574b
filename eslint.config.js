import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './dashboard/svelte.config.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'data/',
      'dashboard/.svelte-kit/',
      'dashboard/build/',
      'dashboard/builds/',
      'screenshots/',
      '**/*.js',
    ],
  },
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The dashboard: browser code, checked with the same rules plus Svelte's.
    files: ['dashboard/**/*.svelte', 'dashboard/**/*.svelte.ts', 'dashboard/**/*.ts'],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: tseslint.parser, svelteConfig },
    },
    rules: {
      // The dashboard is served at the site root (no `paths.base`), so resolve() would return
      // every path unchanged; links stay plain strings.
      'svelte/no-navigation-without-resolve': 'off',
      // State here holds immutable Maps and Sets that are replaced whole (`x = new Map(x).set(…)`),
      // which $state tracks by assignment, and Maps built inside $derived are temporaries.
      // SvelteMap would make every one of those deeply reactive for nothing.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
);
