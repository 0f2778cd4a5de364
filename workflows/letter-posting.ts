import * as wf from '@temporalio/workflow';
import { NOTICE_ACTIVITY_OPTIONS, type LetterActivities, type LetterPostingRequest } from '../activities/contract';

// A letter queued to post (no e-mail address): a durable timer to the end of the next working day (domain/letters.ts
// letterPostBy), then the staff are reminded unless someone has marked it posted. Started by the complaint workflow
// (patch LETTERS_FOR_EVERYONE) as an abandoned child, so the complaint closing or continuing as new does not stop it.

const letters = wf.proxyActivities<LetterActivities>(NOTICE_ACTIVITY_OPTIONS);

/** The workflow id of a letter's posting reminder. */
export function letterPostingWorkflowId(letterId: string): string {
  return `letter-${letterId}`;
}

export async function letterPostingWorkflow(request: LetterPostingRequest): Promise<'posted' | 'reminded'> {
  const waitMs = Date.parse(request.postBy) - Date.now();
  if (waitMs > 0) await wf.sleep(waitMs);
  return letters.remindIfLetterNotPosted(request);
}
