// The payload codec and the failure converter (platform/payload-codec.ts, workflows/failure-converter.cjs), the key
// ring from configuration (platform/payload-keys.ts), and a complaint on a real server with both on: nothing the
// server holds reads in plain text, while a client with the keys reads everything.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type FailureConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyToJson } from '../../audit/history-json';
import { reconstructTimeline, payloadDecoder } from '../../audit/timeline';
import { replayComplaintHistories } from '../../audit/replay';
import { loadConfig } from '../../platform/config';
import {
  AesGcmPayloadCodec,
  complaintDataConverter,
  ENCRYPTED_ENCODING,
  FAILURE_CONVERTER_PATH,
  KEY_ID_METADATA,
  UnknownPayloadKeyError,
} from '../../platform/payload-codec';
import { DEV_KEYS_FILE, ensureDevKeyRing, loadKeyRing, payloadKeysFor } from '../../platform/payload-keys';
import { createComplaintsWorker } from '../../worker/create-worker';
import { ACTION_REJECTED, actionUpdates, complaintStateQuery, keyedUpdateId } from '../../workflows/messages';
import { complaintWorkflow } from '../../workflows';
import { complaintStartOptions } from '../../workflows/start-options';
import { complaintDetails, officer, uniqueRef, intakeClerk } from '../support/complaint-harness';
import { testPayloadKeys, TEST_KEYS_PATH } from '../support/payload-keys';
import { RecordingActivities } from '../support/recording-activities';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../support/temporal';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';

const text = new TextDecoder();
const json = (value: unknown) => defaultPayloadConverter.toPayload(value);
const plainText = (payloads: Payload[]) => payloads.map((p) => Buffer.from(p.data ?? []).toString('latin1')).join('');

describe('the AES-256-GCM payload codec', () => {
  const codec = new AesGcmPayloadCodec(testPayloadKeys());

  it('encrypts under the current key, names it in the metadata, and decodes back to the same payload', async () => {
    const original = json({ name: 'MARKER-codec-name' });
    const [encoded] = await codec.encode([original]);
    expect(text.decode(encoded!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text.decode(encoded!.metadata![KEY_ID_METADATA])).toBe('test-current');
    expect(plainText([encoded!])).not.toContain('MARKER-codec-name');
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ name: 'MARKER-codec-name' });
    // A fresh IV each time: the same value never encrypts to the same bytes.
    const [again] = await codec.encode([original]);
    expect(Buffer.from(again!.data!).equals(Buffer.from(encoded!.data!))).toBe(false);
  });

  it('rotation: what the old key encrypted still decrypts; new payloads use the new key', async () => {
    const before = new AesGcmPayloadCodec(testPayloadKeys('test-old'));
    const [old] = await before.encode([json('written before the rotation')]);
    expect(text.decode(old!.metadata![KEY_ID_METADATA])).toBe('test-old');
    expect(defaultPayloadConverter.fromPayload((await codec.decode([old!]))[0]!)).toBe('written before the rotation');
    await expect(new AesGcmPayloadCodec(testPayloadKeys('test-current')).decode([old!])).rejects.toThrow(
      UnknownPayloadKeyError,
    );
  });

  it('refuses a tampered payload or one relabelled with another key id; passes plain payloads through', async () => {
    const [encoded] = await codec.encode([json('x')]);
    const data = Buffer.from(encoded!.data!);
    data[data.length - 20]! ^= 1;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow();
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from('test-old') } };
    await expect(codec.decode([relabelled])).rejects.toThrow();
    const plain = json({ recorded: 'before encryption' });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('the failure converter moves message and stack trace into the (encrypted) encoded attributes', async () => {
    const { failureConverter } = (await import(FAILURE_CONVERTER_PATH)) as { failureConverter: FailureConverter };
    const failure = failureConverter.errorToFailure(
      ApplicationFailure.create({ message: 'MARKER-failure pat@example.org', nonRetryable: true }),
      defaultPayloadConverter,
    );
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    expect(JSON.stringify(failure)).not.toContain('MARKER-failure');
    const error = failureConverter.failureToError(failure, defaultPayloadConverter);
    expect(error.message).toBe('MARKER-failure pat@example.org');
  });
});

describe('the key ring from configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'payload-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads ENCRYPTION_KEYS_PATH and ENCRYPTION_KEYS; the last key listed encrypts', () => {
    const inline = `keys:\n  - id: inline-1\n    key: ${Buffer.alloc(32, 7).toString('base64')}\n`;
    const ring = loadKeyRing(loadConfig({ ENCRYPTION_KEYS_PATH: TEST_KEYS_PATH, ENCRYPTION_KEYS: inline }))!;
    expect(ring.ids).toEqual(['test-old', 'test-current', 'inline-1']);
    expect(ring.current.id).toBe('inline-1');
    expect(loadKeyRing(loadConfig({}))).toBeUndefined();
  });

  it('a bad document is one line naming the variable and never the key', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    expect(() => loadKeyRing(loadConfig({ ENCRYPTION_KEYS: `keys:\n  - id: k1\n    key: ${short}\n` }))).toThrow(
      /^Invalid configuration: ENCRYPTION_KEYS keys\.0\.key: must be 32 bytes in base64/,
    );
    try {
      loadKeyRing(loadConfig({ ENCRYPTION_KEYS: `keys:\n  - id: k1\n    key: ${short}\n` }));
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
    const twice = readFileSync(TEST_KEYS_PATH, 'utf8');
    expect(() => loadKeyRing(loadConfig({ ENCRYPTION_KEYS_PATH: TEST_KEYS_PATH, ENCRYPTION_KEYS: twice }))).toThrow(
      /listed twice/,
    );
    expect(() => loadKeyRing(loadConfig({ ENCRYPTION_KEYS_PATH: path.join(dir, 'none.yaml') }))).toThrow(
      /ENCRYPTION_KEYS_PATH cannot be read \(ENOENT/,
    );
    expect(() => loadConfig({ PAYLOAD_ENCRYPTION: 'maybe' })).toThrow(/PAYLOAD_ENCRYPTION must be on or off/);
  });

  it('without keys configured, from sources: development keys made once under DATA_DIR, the same for every process', () => {
    const first = ensureDevKeyRing(dir);
    const second = ensureDevKeyRing(dir);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.ring.current.key.equals(first.ring.current.key)).toBe(true);
    expect(first.file).toBe(path.join(dir, DEV_KEYS_FILE));
    expect(payloadKeysFor(loadConfig({ DATA_DIR: dir }))!.current.key.equals(first.ring.current.key)).toBe(true);
    expect(payloadKeysFor(loadConfig({ DATA_DIR: dir, PAYLOAD_ENCRYPTION: 'off' }))).toBeUndefined();
  });

  it('the dev keys file is written once even when written twice at the same time', () => {
    const other = path.join(dir, 'race');
    writeFileSync(path.join(dir, 'marker'), '');
    const rings = [ensureDevKeyRing(other), ensureDevKeyRing(other)];
    expect(rings[0]!.ring.current.key.equals(rings[1]!.ring.current.key)).toBe(true);
  });
});

describe('a complaint with encryption on, on a real server', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let keyed: Client;
  const taskQueue = `payload-codec-${process.pid}`;
  const recorded = new RecordingActivities();

  beforeAll(async () => {
    env = await startTimeSkippingServer();
    worker = await createComplaintsWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: recorded.activities,
      workflowBundle: await bundleComplaintWorkflows(),
      payloadKeys: testPayloadKeys(),
    });
    running = worker.run();
    keyed = new Client({ connection: env.connection, dataConverter: complaintDataConverter(testPayloadKeys()) });
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it('the history holds no personal data, a keyed client and the audit read it all, and it replays', async () => {
    const markers = {
      name: 'MARKERNAME-7f3a',
      email: 'markeremail-7f3a@example.org',
      phone: '0131 MARKERPHONE',
      address: 'MARKERADDRESS 1 High Street',
      summary: 'MARKERSUMMARY of the complaint',
      note: 'MARKERNOTE officer note',
    };
    const ref = uniqueRef('ENC');
    const input = {
      ref,
      procedure: { id: 'dundee-swd-2011', version: 1 },
      details: complaintDetails({
        complainant: { name: markers.name, email: markers.email, phone: markers.phone, address: markers.address },
        summary: markers.summary,
      }),
      receivedAt: new Date(await env.currentTimeMs()).toISOString(),
      holidays: [],
      actor: intakeClerk,
    };
    const handle = await keyed.workflow.start(
      complaintWorkflow,
      complaintStartOptions(input, { taskQueue, indexed: false }),
    );
    await handle.executeUpdate(actionUpdates.acknowledge, { args: [{ actor: officer, note: markers.note }] });
    // A keyed action is refused after acceptance, so the refusal's message goes to the history as a failure.
    const updateId = keyedUpdateId('acknowledge', officer.id, 'again');
    await expect(
      handle.executeUpdate(actionUpdates.acknowledge, { args: [{ actor: officer }], updateId }),
    ).rejects.toMatchObject({ cause: { type: ACTION_REJECTED } });

    const state = await handle.query(complaintStateQuery);
    expect(state.details.complainant.name).toBe(markers.name);

    const history = await env.client.workflow.getHandle(ref).fetchHistory();
    const stored = historyToJson(history);
    for (const marker of Object.values(markers)) expect(stored).not.toContain(marker);
    // Nothing plain but what Temporal must read itself: every payload is ours.
    expect(stored).not.toContain('json/plain');
    const failures = [...stored.matchAll(/"message":\s*"([^"]*)"/g)].map((m) => m[1]);
    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures)).toEqual(new Set(['Encoded failure']));

    // Without the keys, a client cannot read the state; the audit with them reads the timeline.
    await expect(env.client.workflow.getHandle(ref).query(complaintStateQuery)).rejects.toThrow();
    const complaintHistory = { workflowId: ref, runId: history.events?.[0] ? 'run' : '', source: 'test', history };
    const timeline = await reconstructTimeline([complaintHistory], payloadDecoder(testPayloadKeys()));
    expect(timeline.state.details.complainant.email).toBe(markers.email);
    const outcomes = [];
    for await (const outcome of replayComplaintHistories([complaintHistory], {
      workflowBundle: await bundleComplaintWorkflows(),
      payloadKeys: testPayloadKeys(),
    }))
      outcomes.push(outcome);
    expect(outcomes.map((o) => o.status)).toEqual(['ok']);
  });
});
