// The recorded histories of tests/histories/ are recorded as production runs (issue 14): payloads encrypted with the
// committed test key ring, personal fields sealed with each complaint's data key before they reach Temporal. The
// personal strings of each scenario are taken from its plain recording kept in the archive (`<name>.before-encryption`):
// wherever today's query answer holds a sealed field, the archived answer holds, at the same place, what the scenario
// typed. Those strings are in the archived history's payloads (so the search below finds what it looks for) and are
// nowhere in the re-recorded one: not in the file, not in its payloads decoded with the keys, not in its query answer.
// And the re-recorded histories replay, with the keys.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Payload } from '@temporalio/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFile, startedAttributes, type ComplaintHistory } from '../../audit/histories';
import { replayComplaintHistories, type ReplayOutcome } from '../../audit/replay';
import { isSealedText } from '../../domain/personal-fields';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../platform/payload-codec';
import { keyRefOf } from '../../platform/personal-data';
import { repoRoot } from '../../platform/repo-root';
import { testPayloadKeys } from '../support/payload-keys';
import { bundleComplaintWorkflows, installQuietRuntime } from '../support/temporal';

const dir = path.join(repoRoot(), 'tests', 'histories');
const archiveDir = path.join(dir, 'archive');
type Manifest = { histories: Array<{ name: string; files: string[]; workflowId: string }> };
const manifestOf = (setDir: string) =>
  JSON.parse(readFileSync(path.join(setDir, 'meta', 'manifest.json'), 'utf8')) as Manifest;
const current = manifestOf(dir);
const archived = manifestOf(archiveDir);
const plainOf = (name: string) => archived.histories.find((entry) => entry.name === `${name}.before-encryption`);
const queryAnswer = (setDir: string, name: string): unknown =>
  JSON.parse(readFileSync(path.join(setDir, 'meta', 'query-answers', `${name}.json`), 'utf8'));
const codec = new AesGcmPayloadCodec(testPayloadKeys());

/** What the scenario typed into personal fields: the plain answer's strings where the sealed answer has pd1:... */
function personalStrings(sealed: unknown, plain: unknown, found = new Set<string>()): Set<string> {
  if (isSealedText(sealed)) {
    if (typeof plain === 'string' && !isSealedText(plain)) found.add(plain);
  } else if (sealed && typeof sealed === 'object' && plain && typeof plain === 'object') {
    for (const [key, value] of Object.entries(sealed))
      personalStrings(value, (plain as Record<string, unknown>)[key], found);
  }
  return found;
}

/** Every payload in a history (inputs, results, markers, memos, failures' encoded attributes). */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const candidate = value as Payload;
  if (candidate.data instanceof Uint8Array && candidate.metadata && typeof candidate.metadata === 'object') {
    found.push(candidate);
    return found;
  }
  for (const item of Object.values(value)) payloadsIn(item, found);
  return found;
}

/** The history's payloads as text, decoded with the test key ring (plain payloads pass through). */
async function decodedText(history: ComplaintHistory): Promise<string> {
  const decoded = await codec.decode(payloadsIn(history.history));
  return decoded.map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).join('\n');
}

const checked = current.histories.filter((entry) => plainOf(entry.name));

describe('recorded histories, re-recorded with encryption on (tests/histories/*.json)', () => {
  const outcomes = new Map<string, ReplayOutcome>();

  beforeAll(async () => {
    installQuietRuntime();
    const histories = await Promise.all(
      checked.flatMap((entry) =>
        entry.files.map(async (file) => ({
          ...(await readHistoryFile(path.join(dir, file))),
          workflowId: entry.workflowId,
        })),
      ),
    );
    const workflowBundle = await bundleComplaintWorkflows();
    for await (const outcome of replayComplaintHistories(histories, { workflowBundle, payloadKeys: testPayloadKeys() }))
      outcomes.set(path.basename(outcome.source), outcome);
  });

  it('every scenario recorded before encryption is re-recorded and checked against its plain recording', () => {
    const before = archived.histories.flatMap((entry) =>
      entry.name.endsWith('.before-encryption') ? [entry.name.replace(/\.before-encryption$/, '')] : [],
    );
    expect(before.length).toBeGreaterThanOrEqual(15);
    expect(checked.map((entry) => entry.name).sort()).toEqual(before.sort());
  });

  // Scenarios added since have no plain recording to take their strings from: at least their input is encrypted.
  it.each(current.histories.flatMap((entry) => entry.files))('%s: the workflow input is encrypted', async (file) => {
    const started = startedAttributes((await readHistoryFile(path.join(dir, file))).history).input!.payloads![0]!;
    expect(Buffer.from(started.metadata!.encoding!).toString('utf8')).toBe(ENCRYPTED_ENCODING);
  });

  it.each(checked.map((entry) => [entry.name, entry] as const))(
    '%s holds none of its personal strings, even decoded with the keys, and replays',
    async (name, entry) => {
      const plainEntry = plainOf(name)!;
      const markers = [...personalStrings(queryAnswer(dir, name), queryAnswer(archiveDir, plainEntry.name))];
      // At least the complainant's name and the summary (a recorder that sealed nothing would find none).
      expect(markers.length, `personal strings of ${name}`).toBeGreaterThanOrEqual(2);

      // The control: the plain recording holds every one of them, so the search below would find them.
      const plainRuns = await Promise.all(plainEntry.files.map((file) => readHistoryFile(path.join(archiveDir, file))));
      const plainText = (await Promise.all(plainRuns.map(decodedText))).join('\n');
      for (const marker of markers) expect(plainText, `${marker} in the plain recording`).toContain(marker);

      for (const file of entry.files) {
        const raw = readFileSync(path.join(dir, file), 'utf8');
        const history = await readHistoryFile(path.join(dir, file));
        const decoded = await decodedText(history);
        for (const marker of markers) {
          expect(raw, `${marker} in ${file}`).not.toContain(marker);
          expect(decoded, `${marker} in ${file}'s decoded payloads`).not.toContain(marker);
        }
        // What the SDK's data converter writes is encrypted (plain: only the markers' headers sdk-core writes and the
        // search attributes, checked for the strings above); decoded, it holds the fields sealed under the reference.
        const started = startedAttributes(history.history).input!.payloads![0]!;
        expect(Buffer.from(started.metadata!.encoding!).toString('utf8')).toBe(ENCRYPTED_ENCODING);
        expect(decoded).toContain(`pd1:${entry.workflowId}:`);
        // The complaint the manifest names (the file does not name it in plain text: replay-histories.test.ts).
        const [input] = await codec.decode([started]);
        expect((JSON.parse(Buffer.from(input!.data!).toString('utf8')) as { ref: string }).ref).toBe(entry.workflowId);

        const outcome = outcomes.get(file);
        expect(outcome?.status, outcome?.message).toBe('ok');
      }
      const answer = JSON.stringify(queryAnswer(dir, name));
      for (const marker of markers) expect(answer, `${marker} in the query answer`).not.toContain(marker);
      expect(answer.match(/"pd1:[^"]+"/g)?.every((sealed) => keyRefOf(sealed.slice(1)) === entry.workflowId)).toBe(
        true,
      );
    },
  );
});
