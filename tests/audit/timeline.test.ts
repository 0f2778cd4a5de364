// The audit timeline is rebuilt from a complaint's workflow history alone. It must agree with what the workflow
// itself answers to complaintStateQuery for the same complaint: the recorded history files are checked against
// the query answers saved when they were recorded, and one complaint is run live (full ladder) and compared with a
// query made now. The full ladder's timeline must read correctly.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHistoryJson, readHistoryFile, type ComplaintHistory } from '../../audit/histories';
import { historyToJson } from '../../audit/history-json';
import { recordScenario, scenarios } from '../../devtools/history-recorder/recorder';
import {
  describeEntries,
  formatTimeline,
  payloadDecoder,
  reconstructTimeline,
  type AuditTimeline,
} from '../../audit/timeline';
import type { ComplaintState } from '../../domain/complaint';
import { repoRoot } from '../../platform/repo-root';
import { testPayloadKeys } from '../support/payload-keys';
import { bundleComplaintWorkflows, startTimeSkippingServer } from '../support/temporal';

const dir = path.join(repoRoot(), 'tests', 'histories');
type Manifest = { histories: Array<{ name: string; files: string[] }> };
const readManifest = (setDir: string) =>
  JSON.parse(readFileSync(path.join(setDir, 'meta', 'manifest.json'), 'utf8')) as Manifest;
const manifest = readManifest(dir);
// Histories from before an intended change (the register written by activity tasks only; payloads in plain JSON)
// must still audit.
const archiveDir = path.join(dir, 'archive');
const archived = readManifest(archiveDir);
// The recorded payloads are encrypted with the committed test key ring (plain ones, the archive's, pass through).
const decode = payloadDecoder(testPayloadKeys());
// Tests that read or rewrite a history's payloads as plain JSON, or its personal text, take the plain recording of
// the same scenario kept in the archive (the re-recorded one's personal fields are sealed: pd1:<ref>:...).
const plainRecording = (name: string) => path.join(archiveDir, `${name}.before-encryption.json`);

async function timelineOf(
  name: string,
  setDir = dir,
  set = manifest,
): Promise<{ timeline: AuditTimeline; queryAnswer: ComplaintState }> {
  const entry = set.histories.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`no recorded history ${name}`);
  const runs: ComplaintHistory[] = [];
  for (const file of entry.files) runs.push(await readHistoryFile(path.join(setDir, file)));
  const queryAnswer = JSON.parse(
    readFileSync(path.join(setDir, 'meta', 'query-answers', `${name}.json`), 'utf8'),
  ) as ComplaintState;
  return { timeline: await reconstructTimeline(runs, decode), queryAnswer };
}

describe('timeline of each recorded history', () => {
  it.each([
    ...manifest.histories.map((entry) => [entry.name, dir, manifest] as const),
    ...archived.histories.map((entry) => [`archive/${entry.name}`, archiveDir, archived] as const),
  ])('%s agrees with the workflow query answered when it was recorded', async (label, setDir, set) => {
    const { timeline, queryAnswer } = await timelineOf(label.replace(/^archive\//, ''), setDir, set);
    expect(timeline.findings.filter((finding) => finding.level === 'error')).toEqual([]);
    // Every event, its time and its actor, as the workflow recorded them ...
    expect(timeline.entries).toEqual(queryAnswer.timeline);
    // ... and so the same complaint: stages, deadlines met or missed, extensions, outcome, closure.
    expect(JSON.parse(JSON.stringify(timeline.state))).toEqual(queryAnswer);
    // Each recorded event is linked to the history event behind it.
    expect(Object.keys(timeline.causes)).toHaveLength(timeline.entries.length);
  });

  it('the recorded set covers every kind of event, outcome, escalation step and procedure', async () => {
    const timelines = await Promise.all(
      manifest.histories.map(async (entry) => (await timelineOf(entry.name)).timeline),
    );
    const entries = timelines.flatMap((timeline) => timeline.entries);
    const types = new Set(entries.map((entry) => entry.type));
    expect([...types].sort()).toEqual(
      [
        'complaint-received',
        'acknowledged',
        'case-officer-assigned',
        'outcome-recorded',
        'escalated',
        'extension-granted',
        'withdrawn',
        'referred-to-ombudsman',
        'note-added',
        'reminder-issued',
        'deadline-breached',
        'calendar-updated',
        'procedure-migrated',
        'closed',
        'action-rejected',
        'notification-failed',
        'personal-data-erased',
      ].sort(),
    );
    const outcomes = new Set(entries.flatMap((entry) => (entry.type === 'outcome-recorded' ? [entry.outcome] : [])));
    expect([...outcomes].sort()).toEqual(['not-upheld', 'partially-upheld', 'resolved', 'upheld']);
    const steps = new Set(
      entries.flatMap((entry) =>
        entry.type === 'escalated' ? [`${entry.from}->${entry.to}${entry.bypassed ? ' (bypass)' : ''}`] : [],
      ),
    );
    expect([...steps].sort()).toEqual([
      'director-review->committee',
      'level-1->level-2',
      'level-2->committee (bypass)',
      'level-2->director-review',
      'stage-1->stage-2',
    ]);
    const closures = new Set(entries.flatMap((entry) => (entry.type === 'closed' ? [entry.reason] : [])));
    expect([...closures].sort()).toEqual(['escalation-window-ended', 'referral-window-ended', 'referred-to-ombudsman']);
    const breaches = new Set(
      entries.flatMap((entry) =>
        entry.type === 'deadline-breached' || entry.type === 'reminder-issued'
          ? [`${entry.type}:${entry.deadline}`]
          : [],
      ),
    );
    expect(breaches.size).toBe(4);
    expect(new Set(timelines.map((timeline) => timeline.procedure.id))).toEqual(
      new Set(['dundee-swd-2011', 'spso-mchp', 'spso-social-work-2017', 'spso-mchp-2020']),
    );
    expect(timelines.some((timeline) => timeline.runIds.length > 1)).toBe(true);
    expect(timelines.some((timeline) => timeline.execution === 'running')).toBe(true);
    expect(entries.some((entry) => entry.type === 'action-rejected' && entry.code === 'invalid-message')).toBe(true);
    expect(entries.some((entry) => entry.type === 'escalated' && entry.withoutOutcome === true)).toBe(true);
    expect(entries.some((entry) => entry.type === 'extension-granted' && entry.working !== undefined)).toBe(true);
  });

  it('the full ladder reads correctly: who did what and when, deadlines met or missed, reminders, extension, escalations, referral', async () => {
    const { timeline } = await timelineOf('dundee-full-ladder.before-encryption', archiveDir, archived);
    const rows = describeEntries(timeline).map((row) => `${row.who} | ${row.what}`);
    const expected = [
      /^Jo Smith \(intake\.smith, intake\) \| Complaint received by letter from Pat Complainant: Community Care \/ service standards\. Procedure: Social Work complaints procedure \(2011, four stages\) \(dundee-swd-2011@1\)\. Level 1 begins: acknowledge by .+ \(5 days of 24 hours from .+\), respond by .+ \(14 days of 24 hours from .+\)$/,
      /^system \(clock\) \| Reminder: Level 1 acknowledgement due .+ \(24 h before\)$/,
      /^system \(clock\) \| DEADLINE MISSED: Level 1 acknowledgement was due /,
      /^Sam Jones \(officer\.jones, case-officer\) \| Level 1 acknowledged - LATE \(was due .+\)\. Note: Acknowledged by phone; letter follows$/,
      /^Alex Brown \(manager\.brown, manager\) \| Case officer: Sam Jones \(officer\.jones\)$/,
      /^Sam Jones .* \| Note: Spoke to the care provider about the missed visits$/,
      /^system \(clock\) \| Reminder: Level 1 response due .+ \(72 h before\)$/,
      /^Sam Jones .* \| Level 1 outcome: NOT UPHELD - on time\. Findings: Visits were rescheduled with notice\. The complainant may take it further until /,
      /^Sam Jones .* \| Escalated from Level 1 to Level 2\. Level 2 begins: acknowledge by .+, respond by /,
      /^Morag Reid \(officer\.reid, investigating-officer\) \| Level 2 acknowledged - on time$/,
      /^Alex Brown .* \| Case officer: Morag Reid \(officer\.reid\), replacing Sam Jones$/,
      /^Morag Reid .* \| Level 2 response deadline extended from .+ to .+ \(\+14 days\), agreed with the complainant\. Reason: Care provider records requested from a third party\. How it was worked out: 14 days of 24 hours from .+$/,
      /^system \(clock\) \| Reminder: Level 2 response due .+ \(120 h before\)$/,
      /^Morag Reid .* \| Level 2 outcome: PARTIALLY UPHELD - on time\. Findings: Two visits were missed without notice\. Actions: Provider retrained\./,
      /^Sam Jones .* \| Escalated from Level 2 to Review by the Director\./,
      /^Fiona Grant \(director\.grant, director\) \| Review by the Director acknowledged - on time$/,
      /^Fiona Grant .* \| Review by the Director outcome: NOT UPHELD - on time\./,
      /^Sam Jones .* \| Escalated from Review by the Director to Complaints Review Committee\./,
      /^system \(clock\) \| Reminder: Complaints Review Committee acknowledgement due /,
      /^system \(clock\) \| DEADLINE MISSED: Complaints Review Committee acknowledgement was due /,
      /^Iain Wallace \(clerk\.wallace, committee-clerk\) \| Complaints Review Committee acknowledged - LATE /,
      /^Iain Wallace .* \| Complaints Review Committee outcome: UPHELD - on time\. Findings: The council did not monitor the provider\. Actions: Monitoring visits every month\./,
      /^Sam Jones .* \| Referred to the Scottish Public Services Ombudsman \(reference SPSO-202612345\)$/,
      /^Sam Jones .* \| Complaint closed: referred to the Ombudsman \(outcome: upheld\)$/,
    ];
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => expect(row).toMatch(expected[i] as RegExp));

    const text = formatTimeline(timeline, 'dundee-full-ladder.json');
    expect(text).toContain('Status: closed (referred to the Ombudsman, outcome upheld); workflow completed');
    expect(text).toMatch(
      /Level 1 \(began .+\)\n {4}acknowledgement: due .+; met .+ by Sam Jones \(officer\.jones, case-officer\) - LATE; 1 reminder\(s\); missed /,
    );
    expect(text).toMatch(/response: +due .+ \(originally .+\); met .+ by Morag Reid .* - ON TIME; 1 reminder\(s\)/);
    expect(text).toMatch(/acknowledgement reminder +to staff +delivered .+ to complaints-team@council\.example/);
    expect(text).toMatch(/outcome letter +to complainant delivered .+ to pat@example\.org/);
    expect(text).toContain('CHECKS\n  ok: all 24 recorded events agree across the history');
  });
});

describe('the timeline checks the recorded events against the raw history', () => {
  it('flags an event whose actor does not match the Update that caused it', async () => {
    const text = readFileSync(plainRecording('dundee-withdrawn'), 'utf8');
    // Only the parts of the ProtoJSON history this test reads and rewrites.
    type UpdateInput = { name?: string; args: { payloads: Array<{ data: string }> } };
    type HistoryEvent = {
      workflowExecutionUpdateAcceptedEventAttributes?: { acceptedRequest?: { input?: UpdateInput } };
    };
    const json = JSON.parse(text) as { events: HistoryEvent[] };
    const input = json.events
      .map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input)
      .find((candidate) => candidate?.name === 'withdraw');
    const payload = input!.args.payloads[0]!;
    const args = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
    payload.data = Buffer.from(JSON.stringify({ ...args, actor: { id: 'someone.else' } })).toString('base64');
    const timeline = await reconstructTimeline([parseHistoryJson(JSON.stringify(json), 'tampered.json')]);
    const problems = timeline.findings.filter((finding) => finding.level === 'error').map((finding) => finding.message);
    expect(problems).toEqual([
      expect.stringMatching(/^Update "withdraw" \(event \d+\) by someone\.else recorded nothing at /),
      expect.stringMatching(
        /^event #4 \(withdrawn by officer\.jones at .+\) matches no Update or Signal in the history$/,
      ),
    ]);
    expect(formatTimeline(timeline, 'tampered.json')).toContain('PROBLEM: event #4 (withdrawn by officer.jones');
  });

  it("flags an event that is not what the domain's decide makes of the Update behind it", async () => {
    // Same action, actor and time, other content: only re-deciding the Update (not matching its name) can tell.
    const json = JSON.parse(readFileSync(plainRecording('dundee-withdrawn'), 'utf8')) as {
      events: Array<{
        workflowExecutionUpdateAcceptedEventAttributes?: {
          acceptedRequest?: { input?: { name?: string; args: { payloads: Array<{ data: string }> } } };
        };
      }>;
    };
    const payload = json.events
      .map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input)
      .find((candidate) => candidate?.name === 'withdraw')!.args.payloads[0]!;
    const args = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
    payload.data = Buffer.from(JSON.stringify({ ...args, reason: 'a reason nobody recorded' })).toString('base64');
    const timeline = await reconstructTimeline([parseHistoryJson(JSON.stringify(json), 'tampered.json')]);
    expect(timeline.findings.map((finding) => finding.message)).toEqual([
      expect.stringMatching(/^Update "withdraw" \(event \d+\) by officer\.jones recorded nothing at /),
      expect.stringMatching(/^event #4 \(withdrawn by officer\.jones at .+\) matches no Update or Signal/),
    ]);
  });

  it('decides an assign by the rule of the time: by role only in a run that took the assignment-by-role patch', async () => {
    // dundee-withdrawn predates the patch: its manager assigns a case officer. Recorded again as if the assigner had
    // been a case officer (in every payload that carries the actor), the old rule still allowed it ...
    const asCaseOfficer = readFileSync(plainRecording('dundee-withdrawn'), 'utf8').replace(
      /"data": ?"([A-Za-z0-9+/=]+)"/g,
      (whole, data: string) => {
        const text = Buffer.from(data, 'base64').toString('utf8');
        const changed = text.replaceAll('"role":"manager"', '"role":"case-officer"');
        return changed === text ? whole : `"data": "${Buffer.from(changed).toString('base64')}"`;
      },
    );
    expect(asCaseOfficer).not.toEqual(readFileSync(plainRecording('dundee-withdrawn'), 'utf8'));
    const before = await reconstructTimeline([parseHistoryJson(asCaseOfficer, 'case-officer-assigns.json')]);
    expect(before.findings).toEqual([]);
    // ... but in a run that took the patch (its marker in the history), the workflow would have refused it.
    const patchData = (id: string) => Buffer.from(JSON.stringify({ id, deprecated: false })).toString('base64');
    const patchedRun = asCaseOfficer.replace(patchData('register-as-local-activity'), patchData('assignment-by-role'));
    expect(patchedRun).not.toEqual(asCaseOfficer);
    const after = await reconstructTimeline([parseHistoryJson(patchedRun, 'case-officer-assigns.json')]);
    expect(after.findings.map((finding) => finding.message)).toContainEqual(
      expect.stringMatching(/^Update "assign" \(event \d+\) by manager\.brown recorded nothing at /),
    );
  });

  it('reads a history written back in the CLI format unchanged', async () => {
    // The plain recording: an encrypted history names its complaint only in its (encrypted) input.
    const original = await readHistoryFile(plainRecording('spso-stage2-referral'));
    const again = parseHistoryJson(historyToJson(original.history), 'again.json');
    expect(again.workflowId).toBe('SPSO-STAGE2-REFERRAL');
    expect((await reconstructTimeline([again], decode)).entries).toEqual(
      (await reconstructTimeline([original], decode)).entries,
    );
  });
});

describe('a complaint run now through the full ladder', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkippingServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it("has a timeline, from its history alone, equal to the workflow's own query answer", async () => {
    const scenario = scenarios.find((candidate) => candidate.name === 'dundee-full-ladder');
    if (!scenario) throw new Error('the full-ladder scenario is gone');
    const recording = await recordScenario(scenario, {
      env,
      workflowBundle: await bundleComplaintWorkflows(),
      indexed: false,
    });
    const timeline = await reconstructTimeline(
      recording.runs.map((run) => ({
        workflowId: recording.ref,
        runId: run.runId,
        source: 'live',
        history: run.history,
      })),
    );
    expect(timeline.findings).toEqual([]);
    expect(timeline.entries).toEqual(recording.queryAnswer.timeline);
    expect(JSON.parse(JSON.stringify(timeline.state))).toEqual(recording.queryAnswer);
    // The notices the workflow sent are the ones the activities delivered.
    expect(timeline.notices.map((notice) => notice.id).sort()).toEqual(
      recording.notices.map((notice) => notice.id).sort(),
    );
    expect(timeline.notices.every((notice) => notice.deliveredAt && !notice.pending)).toBe(true);
  });
});
