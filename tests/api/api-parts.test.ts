// The API's parts that need no Temporal: tokens, the visibility query and its cursor, references, the error
// mapping, and the start-up guard that no route is left open.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import {
  ensureDevTokens,
  hashToken,
  loadTokenStore,
  newToken,
  parseTokenDocument,
  requireRole,
  TokenStore,
} from '../../api/auth';
import { decodeCursor, encodeCursor, ListQuerySchema, quote, visibilityQuery } from '../../api/complaint-list';
import { ApiError, toApiError } from '../../api/errors';
import { candidateRef, canonicalJson, refYear } from '../../api/references';
import { apiUrl, ConfigError, loadConfig } from '../../platform/config';
import { testComplaintService, testTokens } from '../support/api';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'api-parts-'));

describe('tokens', () => {
  const token = newToken();
  const entry = {
    sha256: hashToken(token),
    person: { id: 'officer.jones', name: 'Sam Jones' },
    roles: ['case-officer', 'manager'],
  };

  it('are random, prefixed, and known to the store only by their SHA-256', () => {
    expect(token).toMatch(/^swc_[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(token);
    const store = new TokenStore(parseTokenDocument(JSON.stringify({ tokens: [entry] }), 'test'));
    expect(store.lookup(token)).toEqual({ id: 'officer.jones', name: 'Sam Jones', roles: ['case-officer', 'manager'] });
    expect(store.lookup(entry.sha256)).toBeUndefined();
    expect(store.lookup(`${token}x`)).toBeUndefined();
  });

  it('load from a YAML file and inline JSON together', () => {
    const dir = tmp();
    const file = path.join(dir, 'tokens.yaml');
    writeFileSync(
      file,
      `# comment\ntokens:\n  - sha256: ${entry.sha256}\n    person: { id: officer.jones }\n    roles: [case-officer]\n`,
    );
    const other = newToken();
    const inline = JSON.stringify([{ sha256: hashToken(other), person: { id: 'auditor.grey' }, roles: ['auditor'] }]);
    const store = loadTokenStore(loadConfig({ API_TOKENS_PATH: file, API_TOKENS: inline }))!;
    expect(store.size).toBe(2);
    expect(store.lookup(other)?.roles).toEqual(['auditor']);
    expect(loadTokenStore(loadConfig({}))).toBeUndefined();
  });

  it('report a bad document in one line naming the variable, never echoing a value', () => {
    const bad = (text: string) => {
      try {
        parseTokenDocument(text, 'API_TOKENS');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(bad('tokens: [{ sha256: abc, person: { id: x }, roles: [intake] }]')).toBe(
      'Invalid configuration: API_TOKENS tokens.0.sha256: must be the 64 lower-case hex digits of the SHA-256 of the token',
    );
    expect(bad(`tokens: [{ sha256: ${entry.sha256}, person: { id: x }, roles: [janitor] }]`)).toMatch(
      /^Invalid configuration: API_TOKENS tokens\.0\.roles\.0: /,
    );
    expect(bad('tokens: [{ {')).toMatch(/^Invalid configuration: API_TOKENS is not valid YAML or JSON/);
    expect(() => loadTokenStore(loadConfig({ API_TOKENS_PATH: '/nonexistent/tokens.yaml' }))).toThrow(
      'Invalid configuration: API_TOKENS_PATH cannot be read (ENOENT: "/nonexistent/tokens.yaml")',
    );
    const twice = JSON.stringify({ tokens: [entry, entry] });
    expect(() => loadTokenStore(loadConfig({ API_TOKENS: twice }))).toThrow(/listed twice/);
  });

  it('for development are made once under DATA_DIR, values readable by the owner only', () => {
    const dir = tmp();
    const first = ensureDevTokens(dir, 'http://127.0.0.1:3000');
    expect(first.created).toBe(true);
    expect(statSync(first.valuesPath).mode & 0o777).toBe(0o600);
    const lines = readFileSync(first.valuesPath, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('case-officer'));
    const officerToken = lines[0]?.split(/\s+/)[2] ?? '';
    expect(first.store.lookup(officerToken)).toMatchObject({ id: 'dev.officer', roles: ['case-officer'] });
    const stored = readFileSync(path.join(dir, 'api-tokens.dev.yaml'), 'utf8');
    expect(stored).not.toContain(officerToken);
    const second = ensureDevTokens(dir, 'http://127.0.0.1:3000');
    expect(second.created).toBe(false);
    expect(second.store.lookup(officerToken)).toBeDefined();
  });

  it("for development name the API's real address in their file's header, not port 3000", () => {
    const dir = tmp();
    const made = ensureDevTokens(dir, apiUrl(loadConfig({ HOST: '0.0.0.0', PORT: '4123' })));
    expect(readFileSync(made.valuesPath, 'utf8')).toContain(
      '# Use one as: curl -H "Authorization: Bearer <token>" http://127.0.0.1:4123/complaints\n',
    );
    expect(apiUrl(loadConfig({ HOST: 'complaints.example', PORT: '8080' }))).toBe('http://complaints.example:8080');
  });
});

describe('the visibility query', () => {
  it('names fields from a fixed table and quotes values', () => {
    const filters = ListQuerySchema.parse({
      status: 'open,awaiting-escalation',
      serviceArea: 'general',
      officer: "o'brien",
      overdue: 'true',
      receivedFrom: '2026-03-01',
      nextDeadlineBefore: '2026-03-10T12:00:00Z',
    });
    expect(visibilityQuery(filters)).toBe(
      "WorkflowType = 'complaintWorkflow' AND ExecutionStatus != 'ContinuedAsNew' AND ComplaintStatus IN ('open', 'awaiting-escalation') " +
        "AND ComplaintServiceArea = 'general' AND ComplaintCaseOfficer = 'o\\'brien' AND ComplaintOverdue = true " +
        "AND ComplaintNextDeadline <= '2026-03-10T12:00:00.000Z' AND ComplaintReceivedAt >= '2026-03-01T00:00:00.000Z'",
    );
    expect(quote("a'b\\c")).toBe("'a\\'b\\\\c'");
  });

  it('reads a London date as its whole day (summer time included)', () => {
    const filters = ListQuerySchema.parse({ receivedFrom: '2026-07-01', receivedTo: '2026-07-01' });
    expect(filters.receivedFrom).toBe('2026-06-30T23:00:00.000Z');
    expect(filters.receivedTo).toBe('2026-07-01T22:59:59.999Z');
  });

  it('refuses filters it cannot express safely', () => {
    for (const query of [
      { status: 'open,lost' },
      { stage: "x' OR 1=1" },
      { officer: 'a\\b' },
      { limit: '0' },
      { unknown: '1' },
    ]) {
      expect(ListQuerySchema.safeParse(query).success, JSON.stringify(query)).toBe(false);
    }
  });

  it('has cursors bound to their query and page size', () => {
    const token = new Uint8Array([1, 2, 3, 250]);
    const cursor = encodeCursor('Q', 10, token);
    expect([...decodeCursor(cursor, 'Q', 10)]).toEqual([1, 2, 3, 250]);
    expect(() => decodeCursor(cursor, 'Q2', 10)).toThrow(ApiError);
    expect(() => decodeCursor(cursor, 'Q', 11)).toThrow(/other filters or another page size/);
    expect(() => decodeCursor('garbage', 'Q', 10)).toThrow(/not one this API gave out/);
  });
});

describe('references', () => {
  it('are readable, per year, and the same sequence for the same seed', () => {
    expect(candidateRef('SW', 2026, 'seed', 0)).toMatch(/^SW-2026-\d{6}$/);
    expect(candidateRef('SW', 2026, 'seed', 0)).toBe(candidateRef('SW', 2026, 'seed', 0));
    const sequence = Array.from({ length: 20 }, (_, attempt) => candidateRef('SW', 2026, 'seed', attempt));
    expect(new Set(sequence).size).toBe(20);
    expect(candidateRef('SW', 2026, 'other', 0)).not.toBe(sequence[0]);
    // Numbered in the London year: 23:30 UTC on 31 Dec 2026 is still 2026 in London (GMT).
    expect(refYear(Date.parse('2026-12-31T23:30:00Z'))).toBe(2026);
    expect(refYear(Date.parse('2027-01-01T00:00:00Z'))).toBe(2027);
  });

  it('compare bodies whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":2,"f":1}]},"b":1}',
    );
  });
});

describe('errors', () => {
  it('map Fastify errors to our codes and anything unknown to a bare 500', () => {
    expect(
      toApiError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).toResponse(),
    ).toEqual({
      error: { code: 'body-too-large', message: 'The body is larger than this API accepts' },
    });
    expect(toApiError(Object.assign(new Error('secret detail'), { statusCode: 418 })).toResponse().error).toEqual({
      code: 'bad-request',
      message: 'The request could not be processed as sent',
    });
    const internal = toApiError(new TypeError('cannot read x of undefined at /srv/app.js:1'));
    expect(internal.statusCode).toBe(500);
    expect(JSON.stringify(internal.toResponse())).not.toMatch(/cannot read|app\.js/);
  });
});

describe('buildApp', () => {
  it('refuses to start with a route that neither is public nor checks roles', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const complaints = testComplaintService(new Client({ connection }), { taskQueue: 'q', timeoutMs: 100 });
    const open = await buildApp({ complaints, tokens: testTokens() });
    expect(() => open.get('/forgotten', async () => ({ oops: true }))).toThrow(
      'Route GET /forgotten has no requireRole(...) and is not public',
    );
    await open.close();

    const guarded = await buildApp({ complaints, tokens: testTokens() });
    guarded.get('/guarded', { onRequest: requireRole('auditor') }, async () => ({ ok: true }));
    await guarded.ready();
    const response = await guarded.inject({
      method: 'GET',
      url: '/guarded',
      headers: { authorization: 'Bearer token-auditor' },
    });
    expect(response.json()).toEqual({ ok: true });
    await guarded.close();
    await connection.close();
  });
});
