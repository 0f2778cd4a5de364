import { Client, type Connection } from '@temporalio/client';
import { complaintDataConverter } from '../../platform/payload-codec';
import { payloadKeysFor } from '../../platform/payload-keys';

/**
 * A client that reads what the product's processes wrote: with their data converter and the keys of their DATA_DIR
 * (the development keys they made at first start). The fault drill, the cluster run and the benchmark start the worker
 * and the API as child processes with that DATA_DIR and then talk to Temporal themselves.
 */
export function productClient(connection: Connection, namespace: string, dataDir: string): Client {
  const keys = payloadKeysFor({ DATA_DIR: dataDir, PAYLOAD_ENCRYPTION: 'on' });
  return new Client({ connection, namespace, dataConverter: complaintDataConverter(keys) });
}
