// Two Temporal server processes sharing one cluster (each runs frontend, history, matching and worker; distinct
// ports; one PostgreSQL; membership through the database), behind the front door (front-door.ts), as children of
// this process (devtools/child-processes.ts: own process groups, logs to files, killed if we die).
// `killNode(i)` SIGKILLs one process (its history shards move to the other once membership sees it gone);
// `restartNode(i)` starts it again with the same configuration.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { type Child, type ChildGroup, temporalNamespace, waitForProbe } from '../child-processes';
import type { ServerBuild } from './build';
import { dynamicConfigYaml, nodeConfigYaml, nodePorts, type ClusterDatabase, type NodePorts } from './config';
import { type FrontDoor, startFrontDoor } from './front-door';

export const NAMESPACE = 'default';
const RETENTION_MS = 3 * 24 * 3600 * 1000;

export interface ClusterNode {
  index: number;
  name: string;
  ports: NodePorts;
  configFile: string;
  logFile: string;
  child: Child;
  /** The frontend of this process alone (the front door is `Cluster.address`). */
  frontend: string;
}

export interface Cluster {
  /** TEMPORAL_ADDRESS for clients: the front door. */
  address: string;
  frontDoor: FrontDoor;
  nodes: ClusterNode[];
  /** Seconds from the first process's start to the namespace answering on every process. */
  startSeconds: number;
  killNode(index: number): Promise<void>;
  restartNode(index: number): Promise<number>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  build: ServerBuild;
  db: ClusterDatabase;
  children: ChildGroup;
  dir: string;
  portBase: number;
  size?: number;
  say?: (message: string) => void;
}

/** Resolves once this node's own frontend answers for `namespace`. */
async function nodeReady(node: ClusterNode, namespace: string): Promise<void> {
  const connection = await waitForProbe(
    node.child,
    `${node.name}: namespace ${namespace}`,
    temporalNamespace(node.frontend, namespace),
    {
      deadlineMs: 180_000,
      intervalMs: 500,
    },
  );
  await connection.close();
}

async function registerNamespace(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({
      namespace: NAMESPACE,
      workflowExecutionRetentionPeriod: msToTs(RETENTION_MS),
    });
  } catch (err) {
    // Already there (a rerun against the same databases): fine.
    if (!/already exists/i.test((err as Error).message)) throw err;
  } finally {
    await connection.close();
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { build, db, children, dir, portBase } = options;
  const say = options.say ?? console.log;
  const size = options.size ?? 2;
  const frontDoorPort = portBase + 33;
  const dynamicConfigFile = path.join(dir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, dynamicConfigYaml());
  const specs = Array.from({ length: size }, (_, index) => {
    const ports = nodePorts(portBase, index);
    const name = `temporal-${index + 1}`;
    const configFile = path.join(dir, `${name}.yaml`);
    writeFileSync(
      configFile,
      nodeConfigYaml({ db, ports, publicAddress: `127.0.0.1:${frontDoorPort}`, dynamicConfigFile }),
    );
    return {
      index,
      name,
      ports,
      configFile,
      logFile: path.join(dir, `${name}.log`),
      frontend: `127.0.0.1:${ports.grpc.frontend}`,
    };
  });
  const launch = (spec: (typeof specs)[number]) =>
    children.start({
      name: spec.name,
      command: build.server,
      args: ['--config-file', spec.configFile, '--allow-no-auth', 'start'],
      cwd: dir,
      logFile: spec.logFile,
      stopTimeoutMs: 30_000,
    });

  const started = performance.now();
  const nodes: ClusterNode[] = [];
  // The first process creates the cluster's metadata; the second joins it (ringpop, seeded from the database).
  for (const spec of specs) {
    const node: ClusterNode = { ...spec, child: launch(spec) };
    nodes.push(node);
    await nodeReady(node, 'temporal-system');
    say(`${node.name} up (frontend ${node.frontend}, log ${node.logFile})`);
  }
  const frontDoor = await startFrontDoor(
    nodes.map((n) => ({ host: '127.0.0.1', port: n.ports.grpc.frontend })),
    { port: frontDoorPort },
  );
  await registerNamespace(frontDoor.address);
  // Each process's namespace cache refreshes on its own (every 10 s): wait until every one knows it.
  await Promise.all(nodes.map((n) => nodeReady(n, NAMESPACE)));
  const startSeconds = (performance.now() - started) / 1000;
  say(`cluster of ${size} processes up in ${startSeconds.toFixed(1)} s; front door ${frontDoor.address}`);

  return {
    address: frontDoor.address,
    frontDoor,
    nodes,
    startSeconds,
    async killNode(index) {
      const node = nodes[index]!;
      node.child.signal('SIGKILL');
      await node.child.exited;
    },
    async restartNode(index) {
      const node = nodes[index]!;
      if (node.child.running) throw new Error(`${node.name} is still running`);
      const t0 = performance.now();
      node.child = launch(node);
      await nodeReady(node, NAMESPACE);
      return (performance.now() - t0) / 1000;
    },
    async stop() {
      await frontDoor.close();
      for (const node of [...nodes].reverse()) if (node.child.running) await node.child.stop();
    },
  };
}

/** The history shards `node` acquired in [sinceMs, untilMs] (from its log: the server logs each as it takes it). */
export function shardsAcquired(
  node: ClusterNode,
  sinceMs: number,
  untilMs: number,
): Array<{ shard: number; atMs: number }> {
  const acquired: Array<{ shard: number; atMs: number }> = [];
  for (const line of readFileSync(node.logFile, 'utf8').split('\n')) {
    if (!line.includes('"Acquired shard"')) continue;
    try {
      const entry = JSON.parse(line) as { ts: string; 'shard-id': number };
      const atMs = Date.parse(entry.ts);
      if (atMs >= sinceMs && atMs <= untilMs) acquired.push({ shard: entry['shard-id'], atMs });
    } catch {
      // A line cut by a SIGKILL: not one we need.
    }
  }
  return acquired;
}
