import fs from 'node:fs';

/**
 * `npx tsx bench/profile-summary.ts FILE.cpuprofile`: where the app's CPU went, by self time —
 * per function and per package/folder — from a profile taken with `npm run bench -- --profile DIR`.
 */
type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
const prof = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const byFn = new Map<string, number>();
const byArea = new Map<string, number>();
let total = 0;
for (const n of prof.nodes) {
  const t = self.get(n.id) ?? 0;
  total += t;
  const url = n.callFrame.url.replace(/^file:\/\//, '');
  const area = n.callFrame.functionName === '(idle)' ? '(idle)' : /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (/\/(src\/[^/]+(?:\/[^/]+)?)/.exec(url)?.[1] ?? (url.startsWith('node:') ? 'node core' : url || `(${n.callFrame.functionName})`));
  byArea.set(area, (byArea.get(area) ?? 0) + t);
  const fn = `${n.callFrame.functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + t);
}
const show = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log(`total ${(total / 1e6).toFixed(1)} s\n\nby area:\n${show(byArea, 25)}\n\nby function:\n${show(byFn, 40)}`);
