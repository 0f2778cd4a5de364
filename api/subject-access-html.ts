import type { TimelineEntry } from '../domain/complaint';
import { serviceAreaWords, statusWords } from '../domain/words';
import { escapeHtml } from '../notifications/render';
import type { SubjectAccessBundle } from './subject-access';

// The subject access bundle as one plain, printable HTML page (GET /subject-access?format=html): server-rendered,
// every value escaped, no script, no external resource.

type HeldComplaint = SubjectAccessBundle['complaints'][number];

const e = (value: unknown) => escapeHtml(value === undefined || value === null ? '' : String(value));

function rows(pairs: ReadonlyArray<[string, unknown]>): string {
  return pairs
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([label, value]) => `<tr><th scope="row">${e(label)}</th><td>${e(value)}</td></tr>`)
    .join('\n');
}

/** An entry's own fields (beyond type, seq, time and actor), as "name: value" lines. */
function entryDetails(entry: TimelineEntry): string {
  const { type: _type, seq: _seq, at: _at, actor: _actor, ...rest } = entry as TimelineEntry & Record<string, unknown>;
  return Object.entries(rest)
    .map(([key, value]) => `${e(key)}: ${e(typeof value === 'object' ? JSON.stringify(value) : value)}`)
    .join('<br>');
}

function timelineTable(timeline: readonly TimelineEntry[]): string {
  const body = timeline
    .map(
      (entry) =>
        `<tr><td>${e(entry.seq)}</td><td>${e(entry.at)}</td><td>${e(entry.type)}</td>` +
        `<td>${e(entry.actor?.name ?? entry.actor?.id)}</td><td>${entryDetails(entry)}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>#</th><th>When</th><th>What</th><th>Who</th><th>Details</th></tr></thead>\n<tbody>${body}</tbody></table>`;
}

function complaintSection(held: HeldComplaint): string {
  const { complaint: state, letters } = held;
  const { complainant, representative } = state.details;
  const details = rows([
    ['The person is its', held.as.join(' and ')],
    ['Status', statusWords[state.status].title],
    ['Service area', serviceAreaWords[state.details.serviceArea].title],
    ['Received', state.receivedAt],
    ['Complainant', complainant.name],
    ["Complainant's e-mail", complainant.email],
    ["Complainant's phone", complainant.phone],
    ["Complainant's address", complainant.address],
    ['Representative', representative?.name],
    ["Representative's e-mail", representative?.email],
    ["Representative's phone", representative?.phone],
    ['Summary', state.details.summary],
  ]);
  const letterItems = letters
    .map(
      (letter) =>
        `<h4>${e(letter.createdAt)}: ${e(letter.subject)} (${e(letter.channel)})</h4><pre>${e(letter.body)}</pre>`,
    )
    .join('\n');
  return [
    `<section><h2>Complaint ${e(held.ref)}</h2>`,
    `<table><tbody>${details}</tbody></table>`,
    `<h3>What happened</h3>${timelineTable(state.timeline)}`,
    `<h3>Letters sent (${letters.length})</h3>${letterItems || '<p>None.</p>'}`,
    '</section>',
  ].join('\n');
}

export function subjectAccessHtml(bundle: SubjectAccessBundle): string {
  const who = bundle.subject.email ?? bundle.subject.name ?? '';
  const compliments = bundle.compliments
    .map((c) => `<tr><td>${e(c.receivedAt)}</td><td>${e(c.team)}</td><td>${e(c.summary)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Subject access request: ${e(who)}</title>
<style>
  @page { size: A4; margin: 18mm; }
  body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #111; max-width: 190mm; margin: 0 auto; padding: 12px; line-height: 1.45; font-size: 11pt; }
  h1 { font-size: 18pt; border-bottom: 2px solid #1f4e79; padding-bottom: 4px; }
  h2 { font-size: 14pt; color: #1f4e79; margin-top: 1.4em; page-break-before: auto; }
  table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; }
  th, td { border: 1px solid #bbb; padding: 3px 6px; font-size: 10pt; text-align: left; vertical-align: top; }
  pre { white-space: pre-wrap; font-family: inherit; border-left: 3px solid #bbb; padding-left: 8px; }
</style>
</head>
<body>
<h1>Personal data held about ${e(who)}</h1>
<p>Generated ${e(bundle.generatedAt)}: ${bundle.complaints.length} complaint(s), ${bundle.compliments.length} compliment(s).</p>
${bundle.complaints.map(complaintSection).join('\n')}
<h2>Compliments naming the person</h2>
${compliments ? `<table><thead><tr><th>Received</th><th>Team</th><th>Text</th></tr></thead><tbody>${compliments}</tbody></table>` : '<p>None.</p>'}
<h2>Other complaints found by the search</h2>
<p>The person is neither complainant nor representative in these; review them before release (they hold other people's data):
${bundle.otherMatches.length ? e(bundle.otherMatches.join(', ')) : 'none'}.</p>
</body>
</html>
`;
}
