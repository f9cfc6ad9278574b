import { readFile } from 'node:fs/promises';

/**
 * Where a V8 CPU profile's time went (`npm run bench -- --profile DIR` writes one per phase):
 * self time by bucket (a package, a Node subsystem, a folder of ours, GC, idle) in % of the
 * busy samples, then the functions with the most self time.
 *
 *   node scripts/profile-summary.ts DIR/single.cpuprofile [--top 20]
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

function bucket({ functionName, url }: Node['callFrame']): string {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8/native (program)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url)!;
    return `node:${m[1]!.replace(/\.js$/, '')}`;
  }
  if (!url) return `builtin ${functionName || '(anonymous)'}`;
  const ours = /\/work\/[^/]+\/(.+)$/.exec(url.replace(/^file:\/\//, ''));
  if (ours) {
    const parts = ours[1]!.split('/');
    return `ours: ${parts.length > 2 ? parts.slice(0, 2).join('/') : parts.join('/')}`;
  }
  return url;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/profile-summary.ts FILE.cpuprofile [--top N]');
  process.exit(2);
}
const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 20;
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const buckets = new Map<string, number>();
const functions = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  const b = bucket(node.callFrame);
  if (b === 'idle') {
    idle += us;
    continue;
  }
  // The profiler's own work (handing the profile over when it stops) is not the platform's.
  if (b === 'node:inspector') continue;
  total += us;
  buckets.set(b, (buckets.get(b) ?? 0) + us);
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/[^/]+\//, '')}:${lineNumber + 1}`
    : '';
  const key = `${functionName || '(anonymous)'} ${where}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
console.log(`${file}: busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s (main thread)`);
console.log('\nself time by bucket (% of busy):');
for (const [b, us] of [...buckets].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${pct(us)}  ${b}`);
console.log('\nfunctions by self time:');
for (const [f, us] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${pct(us)}  ${f}`);
