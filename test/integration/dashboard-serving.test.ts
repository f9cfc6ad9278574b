import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerDashboard } from '../../api/plugins/dashboard.ts';

/** A build folder as SvelteKit writes one: index.html naming its own hashed asset. */
function fakeBuild(root: string, name: string): void {
  mkdirSync(join(root, 'builds', name, '_app'), { recursive: true });
  writeFileSync(join(root, 'builds', name, 'index.html'), `<script src="/_app/${name}.js"></script>`);
  writeFileSync(join(root, 'builds', name, '_app', `${name}.js`), `console.log('${name}')`);
}

describe('dashboard serving across a rebuild', () => {
  it('keeps serving the build it started with when dashboard/build is switched to a newer one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dash-'));
    fakeBuild(root, 'first');
    symlinkSync(join('builds', 'first'), join(root, 'build'));
    const app = Fastify();
    expect(await registerDashboard(app, `${join(root, 'build')}/`)).toBe(true);
    await app.ready();

    // What platform/dashboard-build.ts does for a second `npm start` or `npm test`: a new
    // folder beside the old one, then an atomic switch of the link.
    fakeBuild(root, 'second');
    symlinkSync(join('builds', 'second'), join(root, 'build.tmp'));
    renameSync(join(root, 'build.tmp'), join(root, 'build'));

    const page = await app.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/_app/first.js');
    const asset = await app.inject('/_app/first.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toContain('first');
    await app.close();
  });
});
