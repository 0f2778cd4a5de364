// What the figures were measured on: the machine, Node, the Temporal SDK, CLI and server, and the date.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { repoRoot } from '../../platform/repo-root';

export interface MachineInfo {
  date: string;
  host: { cpuModel: string; cores: number; memoryGiB: number; os: string; loadAverageAtStart: number[] };
  node: string;
  temporal: { sdk: string; cli: string; server: string | null; persistence: string };
  git: { commit: string | null; dirty: boolean | null };
}

function packageVersion(name: string): string {
  const file = path.join(repoRoot(), 'node_modules', ...name.split('/'), 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function git(args: string[]): string | null {
  const result = spawnSync('git', args, { cwd: repoRoot(), encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

export async function machineInfo(cli: string, connection: Connection, persistence: string): Promise<MachineInfo> {
  const cpus = os.cpus();
  const server = await connection.workflowService.getSystemInfo({}).then(
    (info) => info.serverVersion || null,
    () => null,
  );
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    date: new Date().toISOString(),
    host: {
      cpuModel: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
    },
    node: process.version,
    temporal: {
      sdk: packageVersion('@temporalio/worker'),
      cli: spawnSync(cli, ['--version'], { encoding: 'utf8' }).stdout.trim(),
      server,
      persistence,
    },
    git: { commit: git(['rev-parse', '--short', 'HEAD']), dirty: status === null ? null : status.length > 0 },
  };
}
