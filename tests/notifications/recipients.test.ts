import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRecipients, type NoticeRecipients } from '../../notifications/recipients';
import {
  defaultStaffDirectory,
  loadStaffDirectory,
  parseStaffDirectory,
  StaffDirectoryError,
  staffDirectoryFor,
} from '../../notifications/staff-directory';
import { repoRoot } from '../../platform/repo-root';
import { ComplaintStory, noticeOfEachKind } from './notice-fixtures';

const exampleFile = path.join(repoRoot(), 'config', 'staff-directory.example.yaml');
const directory = loadStaffDirectory(exampleFile);

function recipientsOf(...args: Parameters<typeof resolveRecipients>): NoticeRecipients {
  const resolved = resolveRecipients(...args);
  if (!resolved.ok) throw new Error(resolved.reason);
  return resolved.recipients;
}

const addresses = (mailboxes: { address: string }[]) => mailboxes.map((m) => m.address);

describe('resolveRecipients', () => {
  it('sends reminders, breach notices and the assignment to the case officer, by their directory address', () => {
    const notices = noticeOfEachKind();
    for (const kind of [
      'case-assigned',
      'acknowledgement-reminder',
      'response-reminder',
      'acknowledgement-overdue',
    ] as const) {
      const recipients = recipientsOf(notices[kind], directory);
      expect(addresses(recipients.to), kind).toEqual(['sam.jones@council.example']);
      expect(recipients.cc, kind).toEqual([]);
      expect(recipients.greeting, kind).toBe('Sam Jones');
    }
  });

  it("copies the officer's manager on a response breach only", () => {
    const recipients = recipientsOf(noticeOfEachKind()['response-overdue'], directory);
    expect(addresses(recipients.to)).toEqual(['sam.jones@council.example']);
    expect(recipients.cc).toEqual([{ name: 'Alex Brown', address: 'alex.brown@council.example' }]);
  });

  it('prefers the address given when the officer was assigned', () => {
    const recipients = recipientsOf(
      noticeOfEachKind({ officerEmail: 'sam.j@elsewhere.example' })['response-overdue'],
      directory,
    );
    expect(addresses(recipients.to)).toEqual(['sam.j@elsewhere.example']);
    expect(addresses(recipients.cc)).toEqual(['alex.brown@council.example']);
  });

  it("with no case officer: the service area's team mailbox, and its manager on a response breach", () => {
    const notices = noticeOfEachKind({ withOfficer: false });
    const reminder = recipientsOf(notices['response-reminder'], directory);
    expect(reminder.to).toEqual([
      { name: 'Community Care complaints team', address: 'community-care.complaints@council.example' },
    ]);
    expect(reminder.greeting).toBe('Community Care complaints team');
    const breach = recipientsOf(notices['response-overdue'], directory);
    expect(addresses(breach.to)).toEqual(['community-care.complaints@council.example']);
    expect(addresses(breach.cc)).toEqual(['alex.brown@council.example']);
  });

  it('routes by service area', () => {
    const story = new ComplaintStory({ details: { serviceArea: 'criminal-justice' } });
    const dueAt = story.stage.response.dueAt;
    const breach = story.record({ type: 'deadline-breached', stage: 'level-1', deadline: 'response', dueAt }, dueAt)!;
    // Criminal Justice has no manager in the example directory: nobody is copied.
    expect(recipientsOf(breach, directory)).toMatchObject({
      to: [{ address: 'criminal-justice.complaints@council.example' }],
      cc: [],
    });
  });

  it('falls back to the team mailbox for an officer with no known address', () => {
    const story = new ComplaintStory();
    const notice = story.record(
      { type: 'case-officer-assigned', officer: { id: 'agency.worker', name: 'Chris Agency' } },
      '2026-03-02T11:00:00.000Z',
    )!;
    expect(addresses(recipientsOf(notice, directory).to)).toEqual(['community-care.complaints@council.example']);
  });

  it('does not copy a manager who is already the recipient', () => {
    const story = new ComplaintStory();
    story.record({ type: 'case-officer-assigned', officer: { id: 'manager.brown' } }, '2026-03-02T11:00:00.000Z');
    const dueAt = story.stage.response.dueAt;
    const breach = story.record({ type: 'deadline-breached', stage: 'level-1', deadline: 'response', dueAt }, dueAt)!;
    // manager.brown has no manager; the service area's manager is manager.brown: not copied to themself.
    expect(recipientsOf(breach, directory)).toMatchObject({
      to: [{ name: 'Alex Brown', address: 'alex.brown@council.example' }],
      cc: [],
    });
  });

  it('sends acknowledgements and outcome letters to the complainant, replies to the team', () => {
    const notices = noticeOfEachKind();
    for (const kind of ['complaint-acknowledged', 'outcome-letter'] as const) {
      expect(recipientsOf(notices[kind], directory), kind).toEqual({
        to: [{ name: 'Pat Complainant', address: 'pat@example.org' }],
        cc: [],
        replyTo: { name: 'Community Care complaints team', address: 'community-care.complaints@council.example' },
        greeting: 'Pat Complainant',
      });
    }
  });

  it('has no recipient for a complainant without an e-mail address', () => {
    const notice = { ...noticeOfEachKind()['outcome-letter'], complainant: { name: 'Pat Complainant' } };
    expect(resolveRecipients(notice, directory)).toEqual({
      ok: false,
      reason: 'the complainant gave no e-mail address',
    });
  });
});

describe('staff directory', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'staff-directory-'));
  const write = (name: string, text: string) => {
    const file = path.join(tmp, name);
    writeFileSync(file, text);
    return file;
  };
  const valid = {
    organisation: { name: 'Council' },
    serviceAreas: Object.fromEntries(
      ['community-care', 'childrens-services', 'criminal-justice', 'general'].map((a) => [
        a,
        { name: `${a} team`, mailbox: `${a}@council.example` },
      ]),
    ),
    officers: [{ id: 'a', name: 'A', email: 'a@council.example' }],
  };

  it('loads the example file, with defaults filled in', () => {
    expect(directory.officers.map((o) => o.id)).toEqual([
      'manager.brown',
      'manager.green',
      'officer.jones',
      'officer.patel',
    ]);
    expect(directory.organisation.ombudsmanWebsite).toBe('https://www.spso.org.uk');
  });

  it('reads JSON from a .json file', () => {
    expect(loadStaffDirectory(write('staff.json', JSON.stringify(valid))).officers).toHaveLength(1);
  });

  it('names the problem in one line', () => {
    const problems: [unknown, RegExp][] = [
      [{ ...valid, serviceAreas: { ...valid.serviceAreas, general: undefined } }, /serviceAreas\.general/],
      [{ ...valid, officers: [{ id: 'a', name: 'A', email: 'not-an-address' }] }, /officers\.0\.email/],
      [
        { ...valid, officers: [...valid.officers, { id: 'a', name: 'B', email: 'b@council.example' }] },
        /officers\.1\.id: "a" is listed twice/,
      ],
      [
        { ...valid, officers: [{ id: 'a', name: 'A', email: 'a@council.example', manager: 'boss' }] },
        /officers\.0\.manager: "boss" is not in officers/,
      ],
      [
        {
          ...valid,
          serviceAreas: {
            ...valid.serviceAreas,
            general: { name: 'G', mailbox: 'g@council.example', manager: 'nobody' },
          },
        },
        /serviceAreas\.general\.manager/,
      ],
      [{ ...valid, teams: [] }, /teams/],
    ];
    for (const [data, pattern] of problems) {
      expect(() => parseStaffDirectory(data)).toThrow(StaffDirectoryError);
      expect(() => parseStaffDirectory(data)).toThrow(pattern);
    }
    expect(() => loadStaffDirectory(write('broken.yaml', 'officers: [unclosed'))).toThrow(
      /^Invalid staff directory .*broken\.yaml: not valid YAML/,
    );
    expect(() => loadStaffDirectory(path.join(tmp, 'missing.yaml'))).toThrow(/^Cannot read staff directory/);
  });

  it('without a file: a placeholder team mailbox per service area, no officers', () => {
    const { directory: builtIn, source } = staffDirectoryFor(undefined);
    expect(builtIn).toEqual(defaultStaffDirectory());
    expect(source).toMatch(/built-in/);
    expect(builtIn.officers).toEqual([]);
    expect(Object.values(builtIn.serviceAreas).map((team) => team.mailbox)).toEqual([
      'community-care.complaints@council.example',
      'childrens-services.complaints@council.example',
      'criminal-justice.complaints@council.example',
      'general.complaints@council.example',
    ]);
    const notices = noticeOfEachKind();
    // An officer's own address (from the assign action) still wins over the placeholders.
    expect(
      addresses(
        recipientsOf(noticeOfEachKind({ officerEmail: 'sam@council.example' })['response-reminder'], builtIn).to,
      ),
    ).toEqual(['sam@council.example']);
    expect(addresses(recipientsOf(notices['response-overdue'], builtIn).to)).toEqual([
      'community-care.complaints@council.example',
    ]);
  });
});
