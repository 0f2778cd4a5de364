// The fault drill (devtools/fault-drill, the one the fault suite runs on the dev server) against the cluster: its
// controls here are the cluster's server processes (SIGKILL, and a restart that waits until the process answers
// for the namespace again) and the worker. The plan: temporal-1 SIGKILLed at 30 % of the requests answered, back
// 15 s later; temporal-2 at 60 % (it then holds every shard), back 15 s later; the worker at 85 % (unless
// `--faults servers`). Each kill comes
// with requests in flight. For each server kill, the survivor's log says when it took over the dead one's shards.
import { type DrillFigures, type FaultControl, type FaultStep, runFaultDrill } from '../fault-drill';
import type { App } from './app';
import { type Cluster, shardsAcquired } from './cluster';

export interface ShardTakeover {
  killed: string;
  survivor: string;
  /** Shards the survivor acquired after the kill, and seconds from the kill to the last of them. */
  shards: number[];
  seconds: number | undefined;
}

export interface ClusterDrill {
  figures: DrillFigures;
  takeovers: ShardTakeover[];
  plan: string[];
}

export interface ClusterDrillOptions {
  complaints: number;
  concurrency: number;
  /** Also SIGKILL the worker (at 85 %), as the fault suite on the dev server does. */
  killWorker: boolean;
  say: (m: string) => void;
}

const SERVER_DOWN_MS = 15_000;

export async function runClusterDrill(cluster: Cluster, app: App, options: ClusterDrillOptions): Promise<ClusterDrill> {
  const kills: Array<{ index: number; atMs: number }> = [];
  const node = (index: number): FaultControl => ({
    name: cluster.nodes[index]!.name,
    kill: async () => {
      kills.push({ index, atMs: Date.now() });
      await cluster.killNode(index);
    },
    restart: async () => void (await cluster.restartNode(index)),
  });
  const faults: FaultStep[] = [
    { control: node(0), atProgress: 0.3, downMs: SERVER_DOWN_MS },
    { control: node(1), atProgress: 0.6, downMs: SERVER_DOWN_MS },
    ...(options.killWorker ? [{ control: app.worker, atProgress: 0.85, downMs: 1_000 }] : []),
  ];
  const figures = await runFaultDrill(app.target, {
    complaints: options.complaints,
    concurrency: options.concurrency,
    faults,
    // Every tenth complaint is left unacknowledged; its reminder falls due after the faults (the drill's timers).
    timerEvery: 10,
    timerLeadMs: 240_000,
    settleTimeoutMs: 180_000,
    log: (line) => options.say(`drill: ${line}`),
  });
  const takeovers = kills.map(({ index, atMs }) => {
    const survivor = cluster.nodes[1 - index]!;
    // Until the dead process is restarted (the ring then hands some shards back).
    const acquired = shardsAcquired(survivor, atMs, atMs + SERVER_DOWN_MS);
    const last = acquired.length ? Math.max(...acquired.map((a) => a.atMs)) : undefined;
    return {
      killed: cluster.nodes[index]!.name,
      survivor: survivor.name,
      shards: [...new Set(acquired.map((a) => a.shard))].sort((a, b) => a - b),
      seconds: last === undefined ? undefined : (last - atMs) / 1000,
    };
  });
  const plan = faults.map(
    (f) =>
      `${f.control.name} SIGKILLed at ${Math.round(f.atProgress * 100)} % of the requests answered, down ${f.downMs / 1000} s`,
  );
  return { figures, takeovers, plan };
}
