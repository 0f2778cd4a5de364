// Part of `npm run build`: bundles workflows/ into dist/workflow-bundle.js, which production workers load
// (worker/create-worker.ts) instead of running webpack at every start.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { repoRoot } from '../platform/repo-root';
import { complaintWorkflowsPath } from '../worker/create-worker';
import { complaintBundleOptions } from '../worker/workflow-options';

async function main(): Promise<void> {
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: complaintWorkflowsPath(),
    ...complaintBundleOptions,
    logger: {
      log: quiet,
      trace: quiet,
      debug: quiet,
      info: quiet,
      warn: (m: string) => console.warn(m),
      error: (m: string) => console.error(m),
    },
  });
  const codePath = path.join(repoRoot(), 'dist', 'workflow-bundle.js');
  await mkdir(path.dirname(codePath), { recursive: true });
  await writeFile(codePath, code);
  console.log(
    `Workflow bundle written to ${path.relative(process.cwd(), codePath)} (${(code.length / 1024).toFixed(0)} KiB)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
