// The server configuration of each process of the cluster (one YAML file per process), shaped after the module's own
// config/development-postgres12.yaml and docker/config_template.yaml: PostgreSQL persistence and SQL visibility
// (postgres12 plugin), every service (frontend, history, matching, worker) in each process on ports of its own, and
// membership (ringpop) seeded through the database's cluster_membership table, so the processes find each other
// with no static seed list. The internal worker service reaches a frontend through membership too (no publicClient).
import { stringify } from 'yaml';

export interface ClusterDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Temporal's two databases: executions and visibility. */
  temporal: string;
  visibility: string;
}

export const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type Service = (typeof SERVICES)[number];

export interface NodePorts {
  grpc: Record<Service, number>;
  membership: Record<Service, number>;
  /** The frontend's HTTP API. */
  http: number;
}

/** Process `index` (0, 1, ...) takes the ports base + 100 × index + the server's usual last two digits. */
export function nodePorts(base: number, index: number): NodePorts {
  const at = (offset: number) => base + 100 * (index + 1) + offset;
  return {
    grpc: { frontend: at(33), history: at(34), matching: at(35), worker: at(39) },
    membership: { frontend: at(63), history: at(64), matching: at(65), worker: at(69) },
    http: at(43),
  };
}

/**
 * Shards are fixed when the cluster is first created. Not the development configs' 4: the ring placed all 4 on one of
 * two processes, so killing the other moved none; with 16 each process holds some and a kill moves them.
 */
export const HISTORY_SHARDS = 16;

function datastore(db: ClusterDatabase, databaseName: string, maxConns: number) {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${db.host}:${db.port}`,
      connectProtocol: 'tcp',
      user: db.user,
      password: db.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

export interface NodeConfigInput {
  db: ClusterDatabase;
  ports: NodePorts;
  /** Where clients reach the cluster (the front door): the cluster's own address in its metadata. */
  publicAddress: string;
  dynamicConfigFile: string;
  logLevel?: string;
}

/** The YAML of one server process. */
export function nodeConfigYaml({ db, ports, publicAddress, dynamicConfigFile, logLevel }: NodeConfigInput): string {
  const service = (name: Service) => ({
    rpc: {
      grpcPort: ports.grpc[name],
      membershipPort: ports.membership[name],
      bindOnIP: '127.0.0.1',
      ...(name === 'frontend' ? { httpPort: ports.http } : {}),
    },
  });
  const config = {
    log: { stdout: true, level: logLevel ?? 'info' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: {
        // Fewer than the development config's 20 + 2 per process: the machine's PostgreSQL (max_connections 100)
        // also serves the register's pools and other test runs; 20 + 10 per process ran it out (SQLSTATE 53300).
        'postgres-default': datastore(db, db.temporal, 10),
        'postgres-visibility': datastore(db, db.visibility, 3),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
    },
    services: Object.fromEntries(SERVICES.map((name) => [name, service(name)])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: publicAddress },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
  return stringify(config);
}

/**
 * Dynamic configuration shared by both processes. New search attributes are seen at once (as in deploy/temporal/),
 * rather than after each process's cache refresh.
 */
export function dynamicConfigYaml(): string {
  return stringify({
    'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true, constraints: {} }],
  });
}
