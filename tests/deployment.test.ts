// No Docker engine runs here, so docker-compose.yml is checked statically: parsed with `yaml`, variables
// interpolated as compose does (from deploy/.env.example), and the app services' environments validated with
// the app's own configuration schema.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { complaintSearchAttributeDefinitions } from '../workflows/search-attributes';
import { configVariableNames, loadConfig } from '../platform/config';
import { repoRoot } from '../platform/repo-root';

const root = repoRoot();
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const envExampleText = readFileSync(path.join(root, 'deploy', '.env.example'), 'utf8');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

/** KEY=VALUE lines, as compose reads an --env-file (no quotes used in ours). */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.trim();
  }
  return env;
}

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (match, name: string | undefined, op: string | undefined, arg: string | undefined) => {
      if (match === '$$') return '$';
      const v = env[name!];
      const unsetOrEmpty = v === undefined || v === '';
      switch (op) {
        case ':-':
          return unsetOrEmpty ? arg! : v!;
        case '-':
          return v === undefined ? arg! : v;
        case ':?':
          if (unsetOrEmpty) throw new Error(`${name}: ${arg}`);
          return v!;
        case '?':
          if (v === undefined) throw new Error(`${name}: ${arg}`);
          return v;
        default:
          return v ?? '';
      }
    },
  );
}

function interpolateDeep(node: unknown, env: Record<string, string>): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((n) => interpolateDeep(n, env));
  if (node && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateDeep(v, env)]));
  return node;
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  expose?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

function loadCompose(env: Record<string, string>): { services: Record<string, Service> } {
  return interpolateDeep(parse(composeText, { merge: true }), env) as { services: Record<string, Service> };
}

const exampleEnv = parseEnvFile(envExampleText);
const compose = loadCompose(exampleEnv);
const { services } = compose;
const appServices = ['api', 'worker'] as const;

function environmentOf(service: Service): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]),
  );
}

describe('docker-compose.yml', () => {
  it('has the services a deployment needs', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'mailpit', 'postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker'].sort(),
    );
    for (const name of ['postgresql', 'temporal', 'mailpit', 'api'])
      expect(services[name]!.healthcheck, name).toBeDefined();
  });

  it.each(appServices)('%s: its environment passes the app configuration schema', (name) => {
    const env = environmentOf(services[name]!);
    for (const variable of Object.keys(env))
      expect(configVariableNames, `${name}: unknown variable ${variable}`).toContain(variable);
    const config = loadConfig(env);
    expect(config.DATABASE_URL).toBeDefined();
    expect(new URL(config.DATABASE_URL!).hostname).toBe('postgresql');
    expect(config.SMTP_URL).toBe('smtp://mailpit:1025');
  });

  it.each(appServices)('%s: points at the temporal service, waits for it and for the search attributes', (name) => {
    const config = loadConfig(environmentOf(services[name]!));
    const [host, port] = config.TEMPORAL_ADDRESS!.split(':');
    expect(services[host!], `no service named ${host}`).toBeDefined();
    expect(services[host!]!.image).toMatch(/^temporalio\/server:/);
    expect(services[host!]!.expose).toContain(port);
    expect(config.TEMPORAL_NAMESPACE).toBe(services['temporal-setup']!.environment!.NAMESPACE);
    expect(services[name]!.depends_on).toMatchObject({
      temporal: { condition: 'service_healthy' },
      'temporal-setup': { condition: 'service_completed_successfully' },
      postgresql: { condition: 'service_healthy' },
    });
  });

  it('api: listens on all interfaces; PORT is the published container port and the healthcheck port', () => {
    const api = services.api!;
    const config = loadConfig(environmentOf(api));
    expect(config.HOST).toBe('0.0.0.0');
    const published = api.ports!.map((p) => p.split(':'));
    expect(published).toHaveLength(1);
    expect(Number(published[0]!.at(-1))).toBe(config.PORT);
    expect(api.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${config.PORT}/health`);
  });

  it('api and worker run the compiled entry points of one image built from the Dockerfile', () => {
    expect(services.api!.command).toEqual(['node', 'dist/api/main.js']);
    expect(services.worker!.command).toEqual(['node', 'dist/worker/main.js']);
    expect(services.api!.image).toBe(services.worker!.image);
    expect(services.api!.build).toBe('.');
    expect(existsSync(path.join(root, 'worker', 'main.ts'))).toBe(true);
  });

  it('registers exactly the search attributes the workflows use', () => {
    const setup = services['temporal-setup']!;
    expect(setup.image).toMatch(/^temporalio\/admin-tools:/);
    const pairs = setup.command!.filter((arg) => /^\w+=\w+$/.test(arg));
    expect(pairs.sort()).toEqual(complaintSearchAttributeDefinitions.map((a) => `${a.name}=${a.cliType}`).sort());
    expect(setup.depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
  });

  it('commits no secrets: passwords must come from the env file', () => {
    expect(() => loadCompose({})).toThrow(/TEMPORAL_DB_PASSWORD|COMPLAINTS_DB_PASSWORD/);
    // Every *PASSWORD*: key takes its value from a variable; URLs embed passwords only through variables too.
    expect(composeText).not.toMatch(/^\s*\w*PASSWORD\w*:[ \t]+(?!\$\{)\S/m);
    expect(composeText).not.toMatch(/:\/\/\w+:(?!\$\{)[^@\s]+@/);
    expect(readFileSync(path.join(root, 'deploy', '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
  });

  it('publishes each host port once, on PUBLISH_IP', () => {
    const hostPorts = Object.values(services).flatMap((s) =>
      (s.ports ?? []).map((p) => p.split(':').slice(0, -1).join(':')),
    );
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const p of hostPorts) expect(p.startsWith(`${exampleEnv.PUBLISH_IP}:`)).toBe(true);
  });

  it('the defaults alone (no optional variables) still configure the app', () => {
    const minimal = loadCompose({ TEMPORAL_DB_PASSWORD: 'x', COMPLAINTS_DB_PASSWORD: 'y' }).services;
    for (const name of appServices) expect(() => loadConfig(environmentOf(minimal[name]!))).not.toThrow();
  });
});

describe('Dockerfile', () => {
  it('builds on Debian (glibc) Node 20, compiles, installs the runtime without dev dependencies, runs the API by default', () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toBe('node:20-bookworm-slim');
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/npm run build/);
    // The runtime stage installs production dependencies afresh: nothing of the build stage's dev tooling.
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtimeStage).toMatch(/RUN npm ci --omit=dev/);
    expect(runtimeStage).not.toMatch(/COPY --from=\S+ \S*node_modules/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('CMD ["node", "dist/api/main.js"]');
  });

  it('npm run build produces what the image runs (tsc to dist/, non-TS assets, the prebuilt workflow bundle)', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.build).toContain('tsc -p tsconfig.build.json');
    expect(pkg.scripts.build).toContain('scripts/copy-build-assets.ts'); // SQL migrations, templates: tsc copies only .js
    expect(pkg.scripts.build).toContain('scripts/build-workflow-bundle.ts');
    const buildConfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
      compilerOptions: { outDir: string };
    };
    expect(buildConfig.compilerOptions.outDir).toBe('dist');
    expect(buildConfig.include).toEqual(
      expect.arrayContaining(['api', 'worker', 'platform', 'workflows', 'activities', 'domain']),
    );
  });

  it('copies the assets of every folder the build compiles (a folder compiled only as an import has none)', () => {
    // tsc compiles whatever the entry points import, but scripts/copy-build-assets.ts copies the templates, styles and
    // SQL of the `include` folders only: web/ compiled without its templates answered 500 on every page.
    const listed = execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'],
      { cwd: root, encoding: 'utf8' },
    );
    const compiledFolders = new Set(
      listed
        .split('\n')
        .map((file) => path.relative(root, file.trim()))
        .filter((file) => file.endsWith('.ts') && !file.startsWith('node_modules') && !file.startsWith('..'))
        .map((file) => file.split(path.sep)[0]!)
        .filter((folder) => !folder.endsWith('.ts')),
    );
    expect(compiledFolders).toContain('web');
    const buildConfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    expect([...compiledFolders].filter((folder) => !buildConfig.include.includes(folder))).toEqual([]);
  }, 60_000);
});
