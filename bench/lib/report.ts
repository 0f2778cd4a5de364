// The markdown table of one run (bench/results/<date>.md), from the same object as the JSON.
import type { ReadFigures } from '../phases/read';
import type { BenchResult } from './result';
import type { Summary } from './stats';

const ms = (summary: Summary | undefined) =>
  summary && summary.count ? `${summary.p50} / ${summary.p95} / ${summary.p99} / ${summary.max}` : 'n/a';
const statuses = (value: Record<string, number> | undefined) =>
  value && Object.keys(value).length
    ? Object.entries(value)
        .map(([code, n]) => `${code}×${n}`)
        .join(' ')
    : '-';

export function renderMarkdown(result: BenchResult): string {
  const m = result.machine;
  const lines: string[] = [];
  lines.push(`# Benchmark ${m.date}`);
  lines.push('');
  lines.push(
    `Machine: ${m.host.cpuModel}, ${m.host.cores} cores, ${m.host.memoryGiB} GiB, ${m.host.os}. Node ${m.node}; Temporal SDK ${m.temporal.sdk}; ` +
      `${m.temporal.cli}; server ${m.temporal.server ?? '?'}. Persistence: ${m.temporal.persistence}. Commit ${m.git.commit ?? '?'}${m.git.dirty ? ' (uncommitted changes)' : ''}.`,
  );
  lines.push('');
  lines.push(
    `Settings: ${JSON.stringify(result.settings)}. Total ${result.totalSeconds} s. Set-up: ${JSON.stringify(result.setup)}.`,
  );
  lines.push('');
  lines.push('## Targets');
  lines.push('');
  lines.push('| figure | target | measured | |');
  lines.push('| --- | --- | --- | --- |');
  for (const t of result.targets)
    lines.push(`| ${t.figure} | ${t.target} | ${t.value} | ${t.met === null ? '?' : t.met ? 'met' : '**missed**'} |`);
  lines.push('');

  const l = result.lifecycle;
  if (l) {
    lines.push('## 1. Lifecycle (intake → acknowledge → outcome)');
    lines.push('');
    lines.push(`| | complaints/s | completed | seconds | step | p50 / p95 / p99 / max ms | statuses / errors |`);
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [step, figures] of Object.entries(l.api.steps)) {
      lines.push(
        `| API (HTTP) | ${l.api.perSecond} | ${l.api.completed}/${l.api.complaints} | ${l.api.seconds} | ${step} | ${ms(figures.latencyMs)} | ${statuses(figures.statuses)}; ${figures.errors} failed |`,
      );
    }
    for (const [step, figures] of Object.entries(l.baseline.steps)) {
      lines.push(
        `| raw client baseline | ${l.baseline.perSecond} | ${l.baseline.completed}/${l.baseline.workflows} | ${l.baseline.seconds} | ${step} | ${ms(figures.latencyMs)} | ${figures.errors} errors |`,
      );
    }
    lines.push('');
    lines.push(`Ratio API / baseline: **${l.ratio}×**.`);
    const shape = l.historyPerWorkflow;
    if (shape) {
      lines.push('');
      lines.push(
        `What Temporal did per workflow (median of ${shape.complaint.sampled}): complaint ${shape.complaint.events.p50} history events, ${shape.complaint.workflowTasks.p50} workflow tasks, ` +
          `${shape.complaint.activities.p50} activities; baseline ${shape.baseline.events.p50} events, ${shape.baseline.workflowTasks.p50} workflow tasks, ${shape.baseline.activities.p50} activities.`,
      );
    }
    lines.push('');
  }

  lines.push(...openLoopSection(result));

  const r = result.read;
  if (r) {
    lines.push('## 2. Read path');
    lines.push('');
    lines.push('| test | requests/s | p50 / p95 / p99 / max ms | requests | statuses / errors |');
    lines.push('| --- | --- | --- | --- | --- |');
    const row = (name: string, f: ReadFigures | undefined) => {
      if (!f) return;
      lines.push(
        `| ${name} | ${f.perSecond} | ${ms(f.latencyMs)} | ${f.requests} | ${'statuses' in f ? statuses(f.statuses) : `${f.errors} errors`} |`,
      );
    };
    if (r.warm) {
      row(`GET /complaints/:ref, warm (${r.warm.complaints} complaints)`, r.warm.state.api);
      row('raw query, warm', r.warm.state.raw);
    }
    if (r.atScale) {
      row(`GET /complaints/:ref at scale (${r.atScale.open} open)`, r.atScale.state.api);
      row('raw query at scale', r.atScale.state.raw);
      row('GET /complaints?status=open&overdue=true at scale', r.atScale.list.api);
      row('raw listWorkflowExecutions at scale', r.atScale.list.raw);
    }
    lines.push('');
  }

  const s = result.scale;
  if (s) {
    lines.push(`## 3. Scale: ${s.complaints} open complaints on one worker`);
    lines.push('');
    lines.push(
      `Started ${s.started} in ${s.startSeconds} s (${s.startPerSecond}/s; start call p50/p95/p99/max ${ms(s.startLatencyMs)} ms; ${s.startFailures} failed), ${s.how}.`,
    );
    lines.push('');
    lines.push('| memory (RSS MiB) | server | worker | API |');
    lines.push('| --- | --- | --- | --- |');
    for (const [name, value] of Object.entries(s.memoryMiB)) {
      lines.push(`| ${name} | ${value.server ?? '-'} | ${value.worker ?? '-'} | ${value.api ?? '-'} |`);
    }
    lines.push('');
    lines.push(
      `Reminders: ${s.cohorts} cohorts of ${s.perCohort} complaints, each cohort due at one instant, ${s.cohortGapSeconds} s apart (the other ${s.notDueInRun} complaints have their timers days away; ${s.calibration.complaints} were overdue from the start). ` +
        `Reminders delivered ${s.remindersDelivered}/${s.remindersExpected}; the last within ${s.lastReminderDeliveredAfterLastDueSeconds ?? '?'} s of the last due time.`,
    );
    lines.push('');
    if (s.lateness) {
      lines.push(`Lateness (${s.lateness.source}; ${s.lateness.measured} measured, ${s.lateness.missing} missing):`);
      lines.push('');
      lines.push('| cohort | n | p50 / p95 / p99 / max ms |');
      lines.push('| --- | --- | --- |');
      lines.push(`| all | ${s.lateness.allMs.count} | ${ms(s.lateness.allMs)} |`);
      for (const c of s.lateness.byCohortMs) lines.push(`| ${c.cohort} | ${c.count} | ${ms(c)} |`);
      lines.push('');
    }
    if (s.bareTimers) {
      lines.push(
        `The same burst's floor: ${s.bareTimers.workflows} bare timer workflows (bench/baseline-workflow.ts, the baseline worker), all due at one instant${s.bareTimers.lateStart ? ' (not all had started by then)' : ''}: lateness p50 / p95 / p99 / max ${ms(s.bareTimers.latenessMs)} ms.`,
      );
      lines.push('');
    }
    if (s.timerSplitSample) {
      lines.push(
        `Where the lateness comes from (sample of ${s.timerSplitSample.sampled} histories, first and last cohort): server fires the timer (TimerFired − due) ${ms(s.timerSplitSample.timerFiredLateMs)} ms; ` +
          `the worker picks up the workflow task (WorkflowTaskStarted − TimerFired) ${ms(s.timerSplitSample.workflowTaskPickupMs)} ms.`,
      );
      lines.push('');
    }
  }

  const p = result.replay;
  if (p) {
    lines.push('## 4. Audit replay');
    lines.push('');
    lines.push(
      `${p.histories} histories (events per history p50 ${p.eventsPerHistory.p50}, max ${p.eventsPerHistory.max}): replayed in ${p.replaySeconds} s = **${p.perSecond} histories/s** ` +
        `(${p.ok} ok, ${p.failed} failed) in one process; fetching them from the server took ${p.fetchSeconds} s (${p.fetchedPerSecond}/s).`,
    );
    if (p.parallel)
      lines.push(
        '',
        `On ${p.parallel.processes} replay processes (\`npm run audit -- replay\`'s default, their start-up included): ${p.parallel.replaySeconds} s = **${p.parallel.perSecond} histories/s**, ${p.parallel.speedup} × the single process (${p.parallel.ok} ok); the processes took ${p.parallel.startSeconds} s to start, then replayed ${p.parallel.perSecondOnceStarted}/s.`,
      );
    lines.push('');
  }

  lines.push('## CPU seconds by phase (who did the work)');
  lines.push('');
  const names = ['server', 'worker', 'baselineWorker', 'api', 'bench'];
  lines.push(`| phase | ${names.join(' | ')} |`);
  lines.push(`| --- | ${names.map(() => '---').join(' | ')} |`);
  for (const [phase, values] of Object.entries(result.cpuSecondsByPhase))
    lines.push(`| ${phase} | ${names.map((n) => values[n] ?? '-').join(' | ')} |`);
  lines.push('');
  lines.push('## Peak RSS (MiB) by phase');
  lines.push('');
  lines.push(`| phase | ${names.join(' | ')} |`);
  lines.push(`| --- | ${names.map(() => '---').join(' | ')} |`);
  for (const [phase, values] of Object.entries(result.memoryPeakMiBByPhase))
    lines.push(`| ${phase} | ${names.map((n) => values[n] ?? '-').join(' | ')} |`);
  lines.push('');
  if (result.problems.length) {
    lines.push('## Problems');
    lines.push('');
    for (const problem of result.problems) lines.push(`- ${problem.split('\n')[0]}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function openLoopSection(result: BenchResult): string[] {
  const o = result.openLoop;
  if (!o) return [];
  const rows = Object.entries(o.steps).map(
    ([step, f]) => `| ${step} | ${ms(f.latencyMs)} | ${statuses(f.statuses)}; ${f.errors} failed |`,
  );
  return [
    '## 1b. Open loop (a fixed arrival rate, half the capacity just measured)',
    '',
    `${o.ratePerSecond} complaints/s (${o.load} × ${o.capacityPerSecond}/s) for ${o.seconds} s: ${o.completed} of ${o.arrivals} completed; ` +
      `the driver began them p99 ${o.startLagMs.p99} ms after their arrival time.`,
    '',
    '| step | p50 / p95 / p99 / max ms | statuses / errors |',
    '| --- | --- | --- |',
    ...rows,
    `| action (acknowledge and outcome) | ${ms(o.actionLatencyMs)} | |`,
    '',
  ];
}
