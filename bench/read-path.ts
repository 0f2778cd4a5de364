// The API's read of one complaint apart from HTTP and the benchmark's other phases: the app (API + the real worker
// on a dev server, the register in PGlite in memory, the test key ring) takes --complaints complaints, each
// acknowledged, then answers --requests GET /complaints/:ref through Fastify's inject, --concurrency at a time, over
// those complaints in turn; with --list QUERY, GET /complaints?QUERY instead (one page of them, a case officer's).
// Prints requests per second and the process CPU per request; with --profile FILE, the V8 CPU profile of the reads
// (read it with `npx tsx bench/profile-summary.ts FILE`).
//
//   npx tsx bench/read-path.ts [--complaints 200] [--requests 4000] [--concurrency 32] [--list status=open]
//                              [--profile /tmp/read.cpuprofile]
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { openPgliteInMemory, registerOver } from '../register';
import { caller, intakeBody, startApiStack } from '../tests/support/api';
import { testPayloadKeys } from '../tests/support/payload-keys';
import { installQuietRuntime, startDevServer } from '../tests/support/temporal';

const { values } = parseArgs({
  options: {
    complaints: { type: 'string', default: '200' },
    requests: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '32' },
    list: { type: 'string' },
    profile: { type: 'string' },
  },
});

async function main(): Promise<void> {
  installQuietRuntime();
  const env = await startDevServer();
  const register = await registerOver(await openPgliteInMemory(), { keys: testPayloadKeys() });
  const stack = await startApiStack(env, { register, payloadKeys: testPayloadKeys() });
  const call = caller(stack.app);
  try {
    const refs: string[] = [];
    for (let i = 0; i < Number(values.complaints); i++) {
      const made = await call('intake', 'POST', '/complaints', { body: intakeBody({ summary: `Complaint ${i}` }) });
      const ref = made.json().ref as string;
      await call('case-officer', 'POST', `/complaints/${ref}/acknowledge`, { body: {} });
      refs.push(ref);
    }
    const session = new Session();
    session.connect();
    if (values.profile) await session.post('Profiler.enable').then(() => session.post('Profiler.start'));
    const requests = Number(values.requests);
    const started = performance.now();
    const cpu = process.cpuUsage();
    let next = 0;
    const lane = async () => {
      while (next < requests) {
        const ref = refs[next++ % refs.length]!;
        const response = await call(
          'case-officer',
          'GET',
          values.list ? `/complaints?${values.list}` : `/complaints/${ref}`,
        );
        if (response.status !== 200) throw new Error(`GET answered ${response.status}: ${response.text}`);
      }
    };
    await Promise.all(Array.from({ length: Number(values.concurrency) }, lane));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    if (values.profile) writeFileSync(values.profile, JSON.stringify((await session.post('Profiler.stop')).profile));
    session.disconnect();
    const cpuMs = (used.user + used.system) / 1000 / requests;
    console.log(
      `${requests} GETs${values.list ? ` of /complaints?${values.list}` : ''} in ${seconds.toFixed(1)} s = ${(requests / seconds).toFixed(0)}/s; CPU ${cpuMs.toFixed(2)} ms per GET`,
    );
  } finally {
    await stack.close();
    await register.close();
    await env.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
