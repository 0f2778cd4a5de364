// Workflow code loads zod and the action schemas only when an action arrives (workflows/action-parsing.ts): the SDK
// evaluates workflow modules for every complaint it loads, and an idle complaint should not pay for validation it
// never runs. The bundle has the same module graph as Node's require, so Node's module cache shows what loads when.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../platform/repo-root';

function zodLoadedAfter(script: string): boolean {
  const probe = `${script}; process.stdout.write(String(Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]zod[\\\\/]/.test(file))));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: repoRoot(), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`probe failed: ${run.stderr}`);
  return run.stdout.trim() === 'true';
}

describe('workflow modules', () => {
  it('do not load zod when a complaint workflow is loaded', () => {
    expect(zodLoadedAfter("require('./workflows/index.ts')")).toBe(false);
  });

  it('load zod for the first action a workflow parses', () => {
    expect(
      zodLoadedAfter("require('./workflows/index.ts'); require('./workflows/action-parsing.ts').actionParsing()"),
    ).toBe(true);
  });
});
