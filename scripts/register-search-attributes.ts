// `npm run temporal:register-search-attributes`: registers the complaint search attributes on TEMPORAL_NAMESPACE of
// the server at TEMPORAL_ADDRESS (for an external cluster; `npm start`'s dev server registers them itself).
// Idempotent: attributes already there are left alone. Temporal Cloud: add them in the Cloud UI or with tcld
// instead (the operator API is not open to API keys there).
import { loadConfigOrExit, temporalAddress } from '../platform/config';
import { registerSearchAttributes } from '../platform/search-attributes';
import { connectClient, exitOnStartupError } from '../platform/temporal-connection';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const client = await connectClient(config).catch(exitOnStartupError);
  try {
    const added = await registerSearchAttributes(client.connection, config.TEMPORAL_NAMESPACE);
    const where = `namespace "${config.TEMPORAL_NAMESPACE}" at ${temporalAddress(config)}`;
    console.log(
      added.length
        ? `Registered ${added.join(', ')} on ${where}`
        : `All complaint search attributes already exist on ${where}`,
    );
  } finally {
    await client.connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(`Could not register search attributes: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
