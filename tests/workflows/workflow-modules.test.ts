// Workflow code loads zod and the action schemas only when an action arrives (workflows/action-parsing.ts): the SDK
// evaluates workflow modules for every complaint it loads, and an idle complaint should not pay for validation it
// never runs. The bundle has the same module graph as Node's require, so Node's module cache shows what loads when.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../platform/repo-root';

/** Whether the package `name` (under node_modules) is loaded once `script` has run. */
function loadedAfter(script: string, name: string): boolean {
  const probe = `${script}; process.stdout.write(String(Object.keys(require.cache).some((file) => file.includes(${JSON.stringify(`/node_modules/${name}/`)}))));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: repoRoot(), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`probe failed: ${run.stderr}`);
  return run.stdout.trim() === 'true';
}

describe('workflow modules', () => {
  it.each(['zod', '@noble/hashes'])('do not load %s when a complaint workflow is loaded', (name) => {
    expect(loadedAfter("require('./workflows/index.ts')", name)).toBe(false);
  });

  it.each(['zod', '@noble/hashes'])('load %s for the first action a workflow parses, or its first digest', (name) => {
    expect(
      loadedAfter(
        "require('./workflows/index.ts'); const lazy = require('./workflows/action-parsing.ts'); lazy.actionParsing(); lazy.digests()",
        name,
      ),
    ).toBe(true);
  });
});
