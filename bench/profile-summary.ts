// Where a V8 CPU profile's time went (`BENCH_PROFILE=worker,api npm run bench -- --quick --keep` writes them into
// <tmp>/profiles/<process>/): self time by package (our own code by folder), and the top functions.
//
//   npx tsx bench/profile-summary.ts <file.cpuprofile>... [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/@temporalio/worker/...` → `@temporalio/worker`; our `/work/x/api/app.ts` → `ours: api/`. */
function owner(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'native'})`;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith('node:')) return 'node';
  const ours = /\/(api|activities|audit|bench|domain|platform|register|workflows|worker|web|devtools)\//.exec(url);
  if (ours?.[1]) return `ours: ${ours[1]}/`;
  return url.includes('workflow') ? 'workflow bundle' : url.split('/').slice(-2).join('/');
}

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const who = owner(frame.url, frame.functionName);
    byOwner.set(who, (byOwner.get(who) ?? 0) + ms);
    const name = `${frame.functionName || '(anonymous)'} ${who}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const idle = (byOwner.get('((idle))') ?? 0) + (byOwner.get('((program))') ?? 0);
  console.log(`${file}: ${(total / 1000).toFixed(1)} s sampled, busy ${((total - idle) / 1000).toFixed(1)} s`);
  const row = ([name, ms]: [string, number]) =>
    console.log(
      `  ${((100 * ms) / (total - idle || 1)).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${name}`,
    );
  console.log(' by package / folder (share of busy time):');
  [...byOwner]
    .filter(([name]) => name !== '((idle))' && name !== '((program))')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(row);
  console.log(' by function:');
  [...byFunction]
    .filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(program)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(row);
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
for (const file of positionals) summarise(file, Number(values.top ?? 20));
