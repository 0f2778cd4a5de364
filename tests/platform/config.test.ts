import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, temporalAddress } from '../../platform/config';
import { connectClient, connectWorkerConnection, temporalConnectionOptions } from '../../platform/temporal-connection';
import { repoRoot } from '../../platform/repo-root';
import { unusedLoopbackPort } from '../../platform/ports';

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has defaults for everything optional', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'complaints',
      TEMPORAL_DEV_SERVER_PORT: 7233,
      TEMPORAL_UI_PORT: 8233,
      HOST: '127.0.0.1',
      PORT: 3000,
      MAIL_FROM: 'complaints@localhost',
      DEFAULT_PROCEDURE: 'dundee-swd-2011',
      LOG_LEVEL: 'info',
      // A set cache, not the SDK's heap-sized one (platform/config.ts says why).
      WORKER_MAX_CACHED_WORKFLOWS: 500,
    });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DATA_DIR).toBe(path.resolve('.data'));
    expect(temporalAddress(config)).toBe('127.0.0.1:7233');
  });

  it('parses and types the values it is given; empty values count as unset', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      PORT: '8080',
      POPULATION: '148000',
      LOG_LEVEL: 'WARN',
      DATABASE_URL: 'postgres://complaints:secret@db:5432/complaints',
      SMTP_URL: 'smtp://mailpit:1025',
      SMTP_URL_UNKNOWN_TO_US: 'ignored',
      TEMPORAL_API_KEY: '',
      HOST: '0.0.0.0',
    });
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      PORT: 8080,
      POPULATION: 148000,
      LOG_LEVEL: 'warn',
      HOST: '0.0.0.0',
    });
    expect(temporalConnectionOptions(config)).toEqual({ address: 'temporal:7233' }); // an empty API key: no TLS
    expect(temporalAddress(config)).toBe('temporal:7233');
    expect(loadConfig({ TEMPORAL_ADDRESS: '[::1]:7233' }).TEMPORAL_ADDRESS).toBe('[::1]:7233');
    expect(loadConfig({ TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233' }).TEMPORAL_ADDRESS).toBe(
      'my-ns.a1b2c.tmprl.cloud:7233',
    );
  });

  it('names the variable, the rule and the value in one line', () => {
    // Fewer cached workflows than the SDK's 40 concurrent workflow tasks would make Worker.create fail.
    expect(configError({ WORKER_MAX_CACHED_WORKFLOWS: '10' })).toBe(
      'Invalid configuration: WORKER_MAX_CACHED_WORKFLOWS must be an integer between 40 and 1000000 (got "10")',
    );
    expect(configError({ PORT: 'abc' })).toBe(
      'Invalid configuration: PORT must be an integer between 1 and 65535 (got "abc")',
    );
    expect(configError({ PORT: '70000' })).toMatch(
      /^Invalid configuration: PORT must be an integer between 1 and 65535 \(got "70000"\)$/,
    );
    for (const address of [
      'not a host',
      'localhost:99999',
      'localhost',
      'http://temporal:7233',
      ':7233',
      '-temporal:7233',
      'a..b:7233',
      '[not-ipv6]:7233',
      '::1:7233',
    ]) {
      const message = configError({ TEMPORAL_ADDRESS: address });
      expect(message).toMatch(/^Invalid configuration: TEMPORAL_ADDRESS must be host:port/);
      expect(message).toContain(JSON.stringify(address));
      expect(message).not.toContain('\n');
    }
  });

  it('reports several bad variables on the same single line and hides secrets', () => {
    const message = configError({
      PORT: '0',
      POPULATION: '-5',
      DATABASE_URL: 'mysql://root:hunter2@db/x',
      LOG_LEVEL: 'loud',
    });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('PORT must be an integer between 1 and 65535 (got "0")');
    expect(message).toContain('POPULATION must be a positive integer (got "-5")');
    expect(message).toContain('LOG_LEVEL must be one of trace, debug, info, warn, error (got "loud")');
    expect(message).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(message).not.toContain('hunter2');
  });

  it('HOST: an IPv4 or IPv6 address or a host name', () => {
    for (const host of ['0.0.0.0', '::', '::1', 'localhost', 'complaints.example'])
      expect(loadConfig({ HOST: host }).HOST).toBe(host);
    for (const host of ['not a host', '300.1.1.1.1.x-', '[::1]'])
      expect(configError({ HOST: host })).toMatch(/^Invalid configuration: HOST must be an IP address or host name/);
  });

  it('needs both halves of an mTLS pair', () => {
    expect(configError({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/certs/client.pem' })).toMatch(
      /^Invalid configuration: TEMPORAL_TLS_CLIENT_KEY_PATH must be set too/,
    );
    expect(configError({ TEMPORAL_TLS_CLIENT_KEY_PATH: '/certs/client.key' })).toMatch(
      /^Invalid configuration: TEMPORAL_TLS_CLIENT_CERT_PATH must be set too/,
    );
  });

  it('refuses what envconfig would get wrong silently', () => {
    expect(configError({ TEMPORAL_TLS: 'yes' })).toBe(
      'Invalid configuration: TEMPORAL_TLS must be true, false, 1 or 0 (got "yes")',
    );
    expect(configError({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })).toMatch(
      /^Invalid configuration: TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported/,
    );
    expect(configError({ TEMPORAL_TLS_SERVER_NAME: 'not a name' })).toMatch(
      /^Invalid configuration: TEMPORAL_TLS_SERVER_NAME must be a host name/,
    );
    expect(configError({ TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' })).toBe(
      'Invalid configuration: TEMPORAL_CONFIG_FILE cannot be read (ENOENT: "/nonexistent/temporal.toml")',
    );
  });
});

describe('Temporal profiles (envconfig TOML)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'complaints-envconfig-'));
  const file = path.join(dir, 'temporal.toml');
  writeFileSync(
    file,
    [
      '[profile.default]',
      'address = "temporal.internal:7233"',
      'namespace = "complaints"',
      '[profile.cloud]',
      'address = "ns.acct.tmprl.cloud:7233"',
      'namespace = "ns.acct"',
      'api_key = "from-the-file"',
      '[profile.broken]',
      'address = "no port here"',
    ].join('\n'),
  );
  const typo = path.join(dir, 'typo.toml');
  writeFileSync(typo, '[profile.default]\nadress = "temporal:7233"\n');

  it('reads the default profile, or TEMPORAL_PROFILE; the variables override the file', () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: file });
    expect(config).toMatchObject({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'complaints' });
    expect(temporalConnectionOptions(config)).toEqual({ address: 'temporal.internal:7233' });
    const cloud = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
    expect(cloud.TEMPORAL_NAMESPACE).toBe('ns.acct');
    expect(temporalConnectionOptions(cloud)).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: true,
      apiKey: 'from-the-file',
    });
    const overridden = loadConfig({
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_ADDRESS: 'other:7233',
      TEMPORAL_TLS: 'false',
    });
    expect(overridden).toMatchObject({ TEMPORAL_ADDRESS: 'other:7233', TEMPORAL_NAMESPACE: 'complaints' });
    expect(temporalConnectionOptions(overridden).tls).toBe(false);
  });

  it('a bad profile is one line naming what is wrong', () => {
    expect(configError({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'nope' })).toBe(
      `Invalid configuration: TEMPORAL_PROFILE "nope" is not a profile in ${file}`,
    );
    expect(configError({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'broken' })).toMatch(
      /^Invalid configuration: TEMPORAL_ADDRESS must be host:port .*\(got "no port here"\)$/,
    );
    // Strict reading: a mistyped key is an error, not a setting silently dropped.
    expect(configError({ TEMPORAL_CONFIG_FILE: typo })).toBe(
      `Invalid configuration: TEMPORAL_CONFIG_FILE (${typo}) Validation error: key(s) unrecognized in profile.default: adress`,
    );
  });
});

describe('Temporal connection options', () => {
  it('plain connection by default; TLS for an API key; mTLS from files', () => {
    expect(temporalConnectionOptions(loadConfig({}))).toEqual({ address: '127.0.0.1:7233' });
    expect(
      temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' })),
    ).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: true,
      apiKey: 'k',
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'complaints-tls-'));
    for (const name of ['client.pem', 'client.key', 'ca.pem']) writeFileSync(path.join(dir, name), `--- ${name} ---`);
    const options = temporalConnectionOptions(
      loadConfig({
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
        TEMPORAL_TLS_SERVER_NAME: 'temporal.council.example',
      }),
    );
    expect(options.tls).toMatchObject({ serverNameOverride: 'temporal.council.example' });
    const tls = options.tls as { clientCertPair: { crt: Uint8Array }; serverRootCACertificate: Uint8Array };
    expect(Buffer.from(tls.clientCertPair.crt).toString()).toBe('--- client.pem ---');
    expect(Buffer.from(tls.serverRootCACertificate).toString()).toBe('--- ca.pem ---');
    expect(() =>
      temporalConnectionOptions(
        loadConfig({
          TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'nope.pem'),
          TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
        }),
      ),
    ).toThrow(/^Invalid configuration: TEMPORAL_TLS_CLIENT_CERT_PATH cannot be read \(ENOENT/);
  });
});

describe('connecting to an unreachable Temporal', () => {
  it('fails with one clear line, for clients and workers alike', async () => {
    const address = `127.0.0.1:${await unusedLoopbackPort()}`;
    const config = loadConfig({ TEMPORAL_ADDRESS: address });
    await expect(connectWorkerConnection(config, 3_000)).rejects.toThrow(
      `Cannot reach Temporal at ${address}: connection refused`,
    );
    await expect(connectClient(config, 3_000)).rejects.toThrow(
      `Cannot reach Temporal at ${address}: connection refused`,
    );
  });
});

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runWorkerProcess(env: Record<string, string>): Promise<ChildResult> {
  const root = repoRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['worker/main.ts'], {
      cwd: root,
      // Only what a shell would have, plus the variables under test: nothing leaks in from the test's environment.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('`tsx worker/main.ts` with a bad environment', () => {
  it('a bad PORT: one line naming it, exit code 1', async () => {
    const { code, stderr, stdout } = await runWorkerProcess({ PORT: 'abc' });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('Invalid configuration: PORT must be an integer between 1 and 65535 (got "abc")');
    expect(stdout).toBe('');
  });

  it('a malformed TEMPORAL_ADDRESS: one line naming it, exit code 1', async () => {
    const { code, stderr } = await runWorkerProcess({ TEMPORAL_ADDRESS: 'localhost:99999' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Invalid configuration: TEMPORAL_ADDRESS must be host:port .*\(got "localhost:99999"\)$/),
    ]);
  });

  it('an unreachable TEMPORAL_ADDRESS: one line at connect, exit code 1, no stack trace', async () => {
    const address = `127.0.0.1:${await unusedLoopbackPort()}`;
    const { code, stderr } = await runWorkerProcess({ TEMPORAL_ADDRESS: address });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `Cannot reach Temporal at ${address}: connection refused (is the Temporal server running?)`,
    ]);
  });
});
