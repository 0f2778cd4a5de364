import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { startedAttributes } from '../../audit/histories';

// Payloads as the codec server's protocol carries them (metadata values and data in base64), for the codec tests.

/** A payload in the codec protocol's JSON. */
export interface PayloadJson {
  metadata: Record<string, string>;
  data: string;
}

/** A complaint's workflow input as Temporal holds it (encrypted; its personal fields sealed), in the protocol's JSON. */
export async function storedInput(client: Client, ref: string): Promise<PayloadJson> {
  const history = await client.workflow.getHandle(ref).fetchHistory();
  const payload = startedAttributes(history).input!.payloads![0]! as Payload;
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value!).toString('base64')]),
    ),
    data: Buffer.from(payload.data!).toString('base64'),
  };
}
