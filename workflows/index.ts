// Everything the worker registers as workflow code. Bundled with webpack: import nothing with I/O.
export { complaintWorkflow } from './complaint';
export { registerReconciliationWorkflow } from './register-reconciliation';
export { calendarChangeWorkflow } from './calendar-change';
export { letterPostingWorkflow } from './letter-posting';
export { retentionWorkflow } from './retention';
export { improvementActionWorkflow } from './improvement-action';
