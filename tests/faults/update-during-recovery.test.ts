// A defect the fault drill found (tests/faults/drill.test.ts, the worker SIGKILLed mid-action): while a complaint's
// last workflow task had failed or timed out, the server refused each Update with FAILED_PRECONDITION "Workflow Task
// in failed state", and the API answered 500 internal-error. It is passing (a worker completes the next task), so
// it is a 503 temporal-unavailable, which a client retries with the same Idempotency-Key.
import { ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { unavailability } from '../../api/complaint-service';

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

describe('an Update refused while the workflow task is in a failed state', () => {
  it('is a 503 temporal-unavailable (retry), not a 500', () => {
    const refused = new ServiceError('Workflow Update failed', {
      cause: grpcError(9, 'Unable to perform workflow execution update due to Workflow Task in failed state.'),
    });
    const answer = unavailability(refused, 10_000);
    expect(answer?.statusCode).toBe(503);
    expect(answer?.code).toBe('temporal-unavailable');
  });

  it('is a 503 too when the server names it an unexpected workflow task failure', () => {
    const refused = new ServiceError('Workflow Update failed', {
      cause: grpcError(9, 'Unable to perform workflow execution update due to unexpected workflow task failure.'),
    });
    expect(unavailability(refused, 10_000)?.statusCode).toBe(503);
  });

  it('leaves any other failed precondition to the other handlers', () => {
    const other = new ServiceError('Workflow Update failed', { cause: grpcError(9, 'something else') });
    expect(unavailability(other, 10_000)).toBeUndefined();
  });
});
