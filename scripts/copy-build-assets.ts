// Part of `npm run build`: tsc emits only JavaScript, so every other file under the compiled folders (SQL
// migrations, e-mail templates, example YAML, ...) is copied to the same place under dist/, where the compiled
// code looks for it relative to its own __dirname.
import { cpSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../platform/repo-root';

const root = repoRoot();
const buildConfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
const isSource = (file: string) => /\.(ts|tsx|mts|cts)$/.test(file) || file.endsWith('.d.ts');

let copied = 0;
function copyAssets(dir: string): void {
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(relative);
    else if (entry.isFile() && !isSource(entry.name)) {
      cpSync(path.join(root, relative), path.join(root, 'dist', relative));
      copied++;
    }
  }
}

for (const dir of buildConfig.include) {
  try {
    if (statSync(path.join(root, dir)).isDirectory()) copyAssets(dir);
  } catch {
    /* an included folder that does not exist (yet) */
  }
}
console.log(`Copied ${copied} non-TypeScript file(s) into dist/`);
