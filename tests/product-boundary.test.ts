// The product apart from its tooling: the production image installs `dependencies` only and holds no devtools/
// nor tests/ (Dockerfile, .dockerignore), so code in the shipped folders that loads a dev dependency or the tooling
// works in development and crashes in production. eslint.config.mjs forbids the imports as they are written; this
// checks what each shipped file actually loads, including dynamic imports and require().
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../platform/repo-root';

const root = repoRoot();
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

/** Module specifiers a file loads at run time (type-only imports are erased by tsc and load nothing). */
function runtimeSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+'([^']+)'/gms;
  for (const match of source.matchAll(statement)) if (!match[2]) specifiers.push(match[3]!);
  for (const match of source.matchAll(/^\s*import\s+'([^']+)'/gm)) specifiers.push(match[1]!);
  for (const match of source.matchAll(/\b(?:import|require)\(\s*'([^']+)'\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const files: string[] = [];
beforeAll(async () => {
  // The shipped folders are the lint rule's (eslint.config.mjs exports the list).
  const { shippedFolders } = (await import(path.join(root, 'eslint.config.mjs'))) as { shippedFolders: string[] };
  files.push(...shippedFolders.flatMap(sourceFiles));
});

describe('shipped code loads neither the development tooling nor a dev dependency', () => {
  it('finds the shipped sources, and reads the imports as tsc emits them', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(
      runtimeSpecifiers(
        "import type { A } from 'a';\nimport { type B, c } from 'c';\nexport { d } from './d';\nconst e = await import('e');",
      ),
    ).toEqual(['c', './d', 'e']);
  });

  it('no shipped file imports devtools/ or tests/', () => {
    const offending = files.flatMap((file) =>
      runtimeSpecifiers(readFileSync(path.join(root, file), 'utf8'))
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => path.relative(root, path.resolve(root, path.dirname(file), specifier)))
        .filter((target) => /^(devtools|tests)(\/|$)/.test(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('every package a shipped file loads is a production dependency; @temporalio/testing is a dev dependency', () => {
    const builtins = new Set(builtinModules);
    const missing = files.flatMap((file) =>
      runtimeSpecifiers(readFileSync(path.join(root, file), 'utf8'))
        .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
        .map(packageName)
        .filter((name) => !builtins.has(name) && !(name in pkg.dependencies))
        .map((name) => `${file}: ${name}`),
    );
    expect(missing).toEqual([]);
    expect(pkg.dependencies).not.toHaveProperty('@temporalio/testing');
    expect(pkg.devDependencies).toHaveProperty('@temporalio/testing');
  });
});
