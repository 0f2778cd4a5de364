// The fault drill (issue 18): see drill.ts for what it drives and checks, local-stack.ts for the processes the
// fault suite (tests/faults/) gives it. Another caller (a Temporal cluster, say) gives its own target and controls.
export {
  runFaultDrill,
  type DrillFigures,
  type DrillOptions,
  type DrillTarget,
  type FaultControl,
  type FaultRecord,
  type FaultStep,
} from './drill';
export { DEFAULT_RETRY, postWithRetries, type Answer, type RetryPolicy } from './http';
export { startLocalStack, type LocalStack, type LocalStackOptions } from './local-stack';
export { postgresBinaries, startPrivatePostgres, type PrivatePostgres } from './private-postgres';
