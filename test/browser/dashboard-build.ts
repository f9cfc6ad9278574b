import { ensureDashboardBuild } from '../../platform/dashboard-build.ts';

/**
 * Builds the dashboard when no build of its current sources exists, so the browser tests
 * always drive what the code says now. It must run before the platform starts: the server
 * only serves the dashboard if index.html exists when it starts.
 */
export async function ensureDashboardBuilt(): Promise<'built' | 'up to date'> {
  return (await ensureDashboardBuild()).built ? 'built' : 'up to date';
}
