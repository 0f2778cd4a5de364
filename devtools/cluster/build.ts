// The Temporal server of `npm run test:cluster`, built from its Go module (go.temporal.io/server, pinned) and kept
// under .tools/temporal-server/<version>/: bin/temporal-server, bin/temporal-sql-tool and the module's PostgreSQL
// schema (schema/postgresql/v12), so a second run skips the build and needs neither Go nor the module cache.
// The build goes to a `.partial` folder that is renamed when complete: an interrupted build is never taken for one.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../../platform/repo-root';

export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
/** The server release the cluster runs (the same 1.32 line as the CLI's dev server, see devtools/temporal/binaries.ts). */
export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
/**
 * go.temporal.io/server v1.32.2 declares `go 1.26.10`, newer than this machine's Go 1.26.8; the Go command fetches
 * this approved toolchain from the module proxy once (about 76 MB) and builds with it.
 */
export const GO_TOOLCHAIN = 'go1.27.3';

export interface ServerBuild {
  version: string;
  dir: string;
  server: string;
  sqlTool: string;
  /** The PostgreSQL schema folder (holds temporal/ and visibility/, each with versioned/). */
  schemaDir: string;
  /** Seconds the build took in this run; undefined when it was already there. */
  builtSeconds?: number;
}

function buildDir(version: string): string {
  return path.join(repoRoot(), '.tools', 'temporal-server', version);
}

function layout(dir: string, version: string): ServerBuild {
  return {
    version,
    dir,
    server: path.join(dir, 'bin', 'temporal-server'),
    sqlTool: path.join(dir, 'bin', 'temporal-sql-tool'),
    schemaDir: path.join(dir, 'schema', 'postgresql', 'v12'),
  };
}

function goBinary(): string {
  const fromEnv = process.env.GO;
  if (fromEnv) return fromEnv;
  return existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.error) throw new Error(`${command} could not be run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
  return result.stdout.trim();
}

/** The built server of `version`, building it first if it is not there (long: about 20 minutes on 2 cores). */
export function ensureServerBuild(
  version = TEMPORAL_SERVER_VERSION,
  say: (m: string) => void = console.log,
): ServerBuild {
  const dir = buildDir(version);
  const build = layout(dir, version);
  if ([build.server, build.sqlTool, build.schemaDir].every((p) => existsSync(p))) return build;

  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(path.join(partial, 'bin'), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOBIN: path.join(partial, 'bin') };
  const go = goBinary();
  say(`building ${TEMPORAL_SERVER_MODULE}@${version} with ${GO_TOOLCHAIN} into ${dir} (long on a small machine)`);
  const started = performance.now();
  // `go install pkg@version` builds with the module's own go.mod (its pinned dependencies), outside any module here.
  run(
    'nice',
    [
      '-n',
      '10',
      go,
      'install',
      `${TEMPORAL_SERVER_MODULE}/cmd/server@${version}`,
      `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${version}`,
    ],
    env,
  );
  renameSync(path.join(partial, 'bin', 'server'), path.join(partial, 'bin', 'temporal-server'));
  renameSync(path.join(partial, 'bin', 'sql'), path.join(partial, 'bin', 'temporal-sql-tool'));
  const moduleDir = (
    JSON.parse(run(go, ['mod', 'download', '-json', `${TEMPORAL_SERVER_MODULE}@${version}`], env)) as { Dir: string }
  ).Dir;
  cpSync(path.join(moduleDir, 'schema', 'postgresql', 'v12'), path.join(partial, 'schema', 'postgresql', 'v12'), {
    recursive: true,
  });
  const builtSeconds = (performance.now() - started) / 1000;
  writeFileSync(
    path.join(partial, 'BUILD.json'),
    `${JSON.stringify({ module: TEMPORAL_SERVER_MODULE, version, toolchain: GO_TOOLCHAIN, builtSeconds, at: new Date().toISOString() }, null, 2)}\n`,
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  say(`built in ${builtSeconds.toFixed(0)} s`);
  return { ...build, builtSeconds };
}
