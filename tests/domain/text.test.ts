// The one rule for text from outside (domain/vocabulary.ts TextSchema): what it refuses and accepts, that every
// free-text field of intake, the actions and compliments is built on it, and that a refused Signal's reason does
// not carry the bad text into the complaint's timeline (issue 18).
import { describe, expect, it } from 'vitest';
import { actionBodySchemas, parseCommand } from '../../domain/actions';
import { NewComplimentSchema } from '../../domain/compliments';
import { IntakeSchema } from '../../domain/intake';
import { ActorSchema, isPlainText, plainTextOf, TextSchema, textProblem } from '../../domain/vocabulary';

const officer = { id: 'officer.jones', name: 'Sam Jones', role: 'case-officer' };
const intake = {
  complainant: { name: 'Pat Complainant' },
  serviceArea: 'community-care',
  category: 'delay',
  channel: 'letter',
  summary: 'Visits missed',
};

/** The paths of the issues `schema` finds in `value` ([] when it parses). */
function refusedPaths(
  schema: { safeParse(value: unknown): { error?: { issues: { path: PropertyKey[] }[] } } },
  value: unknown,
) {
  return (schema.safeParse(value).error?.issues ?? []).map((issue) => issue.path.join('.'));
}

describe('plain text', () => {
  it('refuses NUL, other control characters (C0, DEL, C1), a lone CR and unpaired surrogates', () => {
    for (const bad of ['a\u0000b', '\u0001', 'a\u0008', 'a\u000bb', 'a\u000cb', 'a\u001bb', 'a\u007fb', 'a\u0085b']) {
      expect(isPlainText(bad), JSON.stringify(bad)).toBe(false);
    }
    for (const bad of ['a\rb', 'end\r', '\r\r\n', '\uD800', 'a\uDBFFb', '\uDC00', '\uDC00\uD800', 'x\uD83D']) {
      expect(isPlainText(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('accepts tab, line feed, CR LF, accented letters and characters beyond the BMP (paired surrogates)', () => {
    for (const good of ['', 'a\tb', 'line one\nline two', 'line one\r\nline two\r\n', 'Seán Ó Súilleabháin', '😀 ok']) {
      expect(isPlainText(good), JSON.stringify(good)).toBe(true);
      expect(TextSchema.safeParse(good).success).toBe(true);
    }
  });

  it('says which character and where, never the text', () => {
    expect(textProblem('secret\u0000name')).toMatch(/^contains NUL \(U\+0000\) at character 7;/);
    expect(textProblem('ab\uD800')).toMatch(/^contains an unpaired surrogate \(U\+D800\) at character 3;/);
    expect(textProblem('ab\u007f')).toMatch(/^contains a control character \(U\+007F\) at character 3;/);
    const message = TextSchema.safeParse('secret\u0000name').error?.issues[0]?.message ?? '';
    expect(message).toContain('U+0000');
    expect(message).not.toContain('secret');
    expect(plainTextOf('a\u0000b\uD800c\r\nd')).toBe('a<U+0000>b<U+D800>c\r\nd');
  });
});

describe('every free-text field is plain text', () => {
  it('intake: complainant, representative, summary, procedure id', () => {
    expect(refusedPaths(IntakeSchema, { ...intake, complainant: { name: 'Pat\u0000' } })).toEqual(['complainant.name']);
    expect(refusedPaths(IntakeSchema, { ...intake, summary: 'Visits\uD800 missed' })).toEqual(['summary']);
    const representative = { name: 'Rep', relationship: 'son\u0007', phone: '0138\u0000', consentGiven: true };
    expect(refusedPaths(IntakeSchema, { ...intake, representative })).toEqual([
      'representative.relationship',
      'representative.phone',
    ]);
    expect(refusedPaths(IntakeSchema, { ...intake, complainant: { name: 'Pat', address: '1 High St\u001b' } })).toEqual(
      ['complainant.address'],
    );
    expect(refusedPaths(IntakeSchema, { ...intake, procedure: { id: 'dundee\u0000' } })).toEqual(['procedure.id']);
    expect(refusedPaths(IntakeSchema, { ...intake, summary: 'Visits missed\r\n\tThree times' })).toEqual([]);
  });

  it('the actions: each text field, and the officer assigned', () => {
    const cases: Array<[keyof typeof actionBodySchemas, Record<string, unknown>, string]> = [
      ['acknowledge', { note: 'seen\u0000' }, 'note'],
      ['assign', { officer: { id: 'officer.khan\u0000' } }, 'officer.id'],
      ['assign', { officer: { id: 'officer.khan', name: 'Ali\uDC00' } }, 'officer.name'],
      ['record-outcome', { outcome: 'upheld', findings: 'f\u0000' }, 'findings'],
      ['record-outcome', { outcome: 'upheld', actionsTaken: 'a\u0085' }, 'actionsTaken'],
      ['grant-extension', { days: 5, reason: 'Complex\u0000 case', agreedWithComplainant: true }, 'reason'],
      ['withdraw', { reason: 'resolved\u0000' }, 'reason'],
      ['refer-to-ombudsman', { reference: 'SPSO\u0000' }, 'reference'],
      ['add-note', { text: '\uD800' }, 'text'],
    ];
    for (const [action, body, path] of cases) {
      expect(refusedPaths(actionBodySchemas[action], body), `${action} ${path}`).toEqual([path]);
    }
    expect(refusedPaths(actionBodySchemas['add-note'], { text: 'Phoned.\r\n\tLeft a message.' })).toEqual([]);
  });

  it('compliments, and the actor a message carries', () => {
    const compliment = { serviceArea: 'general', team: 'home care', receivedAt: '2026-03-01', summary: 'Thanks' };
    expect(refusedPaths(NewComplimentSchema, { ...compliment, summary: 'Thanks\u0000' })).toEqual(['summary']);
    expect(refusedPaths(NewComplimentSchema, { ...compliment, team: 'home\u0001care' })).toEqual(['team']);
    expect(refusedPaths(ActorSchema, { id: 'officer\u0000' })).toEqual(['id']);
    expect(refusedPaths(ActorSchema, { id: 'officer', name: 'Sam\uD800' })).toEqual(['name']);
  });
});

describe('a Signal with such text (parseCommand, which the workflow runs)', () => {
  it('is refused with a reason naming the field, which carries no part of the text', () => {
    const parsed = parseCommand('add-note', { actor: officer, text: 'Mrs Smith\u0000 said' });
    expect(parsed.ok).toBe(false);
    const reason = parsed.ok ? '' : parsed.reason;
    expect(reason).toMatch(/^text: contains NUL \(U\+0000\) at character 10;/);
    expect(reason).not.toContain('Smith');
    expect(isPlainText(reason)).toBe(true);
  });

  it('an unknown key with NUL in its name: zod quotes the key, the reason writes the character as its code point', () => {
    const parsed = parseCommand('add-note', { actor: officer, text: 'ok', 'bad\u0000key': 1 });
    expect(parsed.ok).toBe(false);
    const reason = parsed.ok ? '' : parsed.reason;
    expect(reason).toContain('bad<U+0000>key');
    expect(isPlainText(reason)).toBe(true);
  });

  it("an actor with NUL in its id is refused (the actor's id is a column of the register)", () => {
    const parsed = parseCommand('add-note', { actor: { id: 'x\u0000' }, text: 'ok' });
    expect(parsed).toMatchObject({ ok: false, reason: expect.stringMatching(/^actor: id: contains NUL/) as unknown });
  });

  it('tab, newline and CR LF still go through', () => {
    const parsed = parseCommand('add-note', { actor: officer, text: '  Phoned.\r\n\tLeft a message.\n  ' });
    expect(parsed).toEqual({
      ok: true,
      command: { action: 'add-note', actor: officer, text: 'Phoned.\r\n\tLeft a message.' },
    });
  });
});
