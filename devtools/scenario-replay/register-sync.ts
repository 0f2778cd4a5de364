import type { Client } from '@temporalio/client';
import type { ComplaintState } from '../../domain/complaint';
import type { Register } from '../../register';
import { complaintStateQuery } from '../../workflows/messages';

// The register is written by activities, after the workflow has recorded its events: before reading a report,
// the replay waits until the register holds everything the workflows hold.

/** How many timeline entries each complaint's workflow holds now (to wait for the register to catch up). */
export async function workflowTimelineLengths(client: Client, refs: readonly string[]): Promise<Map<string, number>> {
  const lengths = new Map<string, number>();
  for (const ref of refs) {
    const state: ComplaintState = await client.workflow.getHandle(ref).query(complaintStateQuery);
    lengths.set(ref, state.timeline.length);
  }
  return lengths;
}

/** Waits until the register holds every entry the workflows have recorded (the register writes are asynchronous). */
export async function waitForRegister(
  client: Client,
  register: Register,
  refs: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  const expected = await workflowTimelineLengths(client, refs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const recorded = await register.lastSeqs();
    const behind = [...expected].filter(([ref, length]) => (recorded.get(ref) ?? 0) < length);
    if (behind.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `The register is behind the workflows for ${behind.length} complaint(s), e.g. ${behind
          .slice(0, 3)
          .map(([ref, n]) => `${ref} (${recorded.get(ref) ?? 0}/${n})`)
          .join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
