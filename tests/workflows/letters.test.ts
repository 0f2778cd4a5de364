// Letters for everyone on the time-skipping server: a complainant without an e-mail address is sent each letter
// (queued to post), and the letter-posting workflow reminds the staff when one is not posted by the end of the next
// working day, or finds it posted.
import { describe, expect, it } from 'vitest';
import { replayComplaintHistories } from '../../audit/replay';
import { letterIdFor } from '../../domain/digests';
import type { Notice } from '../../domain/notices';
import { letterPostingWorkflowId, type letterPostingWorkflow } from '../../workflows/letter-posting';
import { actionUpdates } from '../../workflows/messages';
import { DAY_MS, manager, officer } from '../support/complaint-harness';
import { bundleComplaintWorkflows } from '../support/temporal';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';

const stack = useTimeSkippingHarness();

const byPost = { complainant: { name: 'Morag Brown', address: '12 High Street\nDundee\nDD1 1AA' } };

async function acknowledgedByPost() {
  const { h } = stack;
  const handle = await h.startComplaint(await h.input({ details: byPost }));
  await handle.executeUpdate(actionUpdates.acknowledge, { args: [{ actor: officer }] });
  const [letter] = (await h.recorded.waitForNotices(handle.workflowId, 1)).filter(
    (notice) => notice.kind === 'complaint-acknowledged',
  );
  expect(letter).toBeDefined();
  return { handle, letter: letter! };
}

async function postingOutcome(letter: Notice) {
  return stack.env.client.workflow
    .getHandle<typeof letterPostingWorkflow>(letterPostingWorkflowId(letterIdFor(letter.id)))
    .result();
}

describe('letters to post', () => {
  it('a complainant without e-mail is sent the acknowledgement as a letter to post, by the next working day', async () => {
    const { handle, letter } = await acknowledgedByPost();
    expect(letter).toMatchObject({ audience: 'complainant', complainant: { name: 'Morag Brown' } });
    expect(letter.complainant.email).toBeUndefined();
    expect(letter.complainant.address).toBe('12 High Street\nDundee\nDD1 1AA');
    // By the end of the next working day, London time: at most four days ahead (a Friday before a Monday holiday).
    const postByMs = Date.parse(letter.postBy!);
    expect(postByMs - Date.parse(letter.occurredAt)).toBeGreaterThan(0);
    expect(postByMs - Date.parse(letter.occurredAt)).toBeLessThan(5 * DAY_MS);

    await stack.env.sleep(postByMs - (await stack.h.now()) + 60_000);
    expect(await postingOutcome(letter)).toBe('reminded');
    const asked = stack.h.recorded.letterReminders.find((request) => request.notice.id === letter.id);
    expect(asked).toMatchObject({ letterId: letterIdFor(letter.id), postBy: letter.postBy, answer: 'reminded' });

    // The complaint's history holds the patch (letters-for-everyone) and replays with today's code.
    const history = await handle.fetchHistory();
    const markers = (history.events ?? []).filter(
      (event) => event.markerRecordedEventAttributes?.markerName === 'core_patch',
    );
    expect(markers.length).toBeGreaterThan(0);
    const outcomes = [];
    for await (const outcome of replayComplaintHistories(
      [{ workflowId: handle.workflowId, runId: (await handle.describe()).runId, source: 'test', history }],
      { workflowBundle: await bundleComplaintWorkflows() },
    ))
      outcomes.push(outcome.status);
    expect(outcomes).toEqual(['ok']);
  });

  it('a letter marked posted in time is not reminded', async () => {
    const { letter } = await acknowledgedByPost();
    stack.h.recorded.postedLetters.add(letterIdFor(letter.id));
    await stack.env.sleep(Date.parse(letter.postBy!) - (await stack.h.now()) + 60_000);
    expect(await postingOutcome(letter)).toBe('posted');
  });

  it('an extension and a withdrawal are letters too, with or without e-mail', async () => {
    const { h } = stack;
    for (const details of [byPost, {}]) {
      const handle = await h.startComplaint(await h.input({ details }));
      await handle.executeUpdate(actionUpdates['grant-extension'], {
        args: [
          {
            actor: manager,
            days: 7,
            reason: 'More time to interview staff',
            agreedWithComplainant: true,
          },
        ],
      });
      await handle.executeUpdate(actionUpdates.withdraw, { args: [{ actor: officer, reason: 'Resolved by phone' }] });
      const kinds = (await h.recorded.waitForNotices(handle.workflowId, 2)).map((notice) => notice.kind);
      expect(kinds).toEqual(expect.arrayContaining(['extension-agreed', 'withdrawal-confirmed']));
    }
  });
});
