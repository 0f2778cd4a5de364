import { existsSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The project's root folder (the one holding package.json), found from this file's location rather than the
 * current directory, so it is the same under tsx (platform/), compiled code (dist/platform/) and tests.
 */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'platform'))) {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      // Compiled code shipped without sources (e.g. a Docker image): the folder holding package.json.
      cached = findUp(__dirname) ?? process.cwd();
      return cached;
    }
    dir = parent;
  }
}

function findUp(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
