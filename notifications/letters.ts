import { logoFromFile, renderA4, type DocumentBlock, type DocumentHeader } from '../documents/pdf';
import { addressLines } from '../domain/letters';
import type { Notice } from '../domain/notices';
import type { AppConfig } from '../platform/config';
import { letterText, ukDate, type NoticeTemplates } from './messages';
import type { StaffDirectory } from './staff-directory';

// A complainant's notice as a printed A4 letter (documents/pdf.ts): the council's name and logo (COUNCIL_NAME,
// COUNCIL_LOGO_PATH), the name and address in the window envelope's place, the date in words, the reference, the
// text of the notice's template as it reads by post, and the sign-off of the service area's team.

export interface LetterSettings {
  header: DocumentHeader;
}

export function letterSettingsFrom(
  config: Pick<AppConfig, 'COUNCIL_NAME' | 'COUNCIL_LOGO_PATH'>,
  directory: StaffDirectory,
): LetterSettings {
  const { organisation } = directory;
  const lines = [organisation.phone ? `Telephone: ${organisation.phone}` : '', organisation.website ?? ''].filter(
    (line) => line.length > 0,
  );
  const logo = logoFromFile(config.COUNCIL_LOGO_PATH);
  return {
    header: {
      organisationName: config.COUNCIL_NAME,
      organisationLines:
        config.COUNCIL_NAME && config.COUNCIL_NAME !== organisation.name ? [organisation.name, ...lines] : lines,
      ...(logo ? { logo } : {}),
    },
  };
}

export interface PrintedLetter {
  subject: string;
  /** The letter's text as printed (for the register and a text preview). */
  body: string;
  addressLines: string[];
  pdf: Uint8Array;
}

export async function printedLetter(
  notice: Notice,
  context: { directory: StaffDirectory; templates: NoticeTemplates; settings: LetterSettings },
): Promise<PrintedLetter> {
  const { subject, body } = letterText(notice, context);
  const team = context.directory.serviceAreas[notice.serviceArea];
  const signOff = ['Yours sincerely,', '', team?.name ?? context.settings.header.organisationName];
  const lines = addressLines(notice.complainant.name, notice.complainant.address);
  const pdf = await renderA4({
    header: context.settings.header,
    title: subject,
    address: lines,
    dateLine: ukDate(Date.parse(notice.occurredAt)),
    reference: `Our reference: ${notice.ref}`,
    blocks: [{ kind: 'heading', text: subject }, ...bodyBlocks(body), { kind: 'lines', lines: signOff }],
    createdAt: new Date(notice.occurredAt),
  });
  return { subject, body: `${body}\n${signOff.join('\n')}\n`, addressLines: lines, pdf };
}

/** Paragraphs at blank lines; a paragraph's short first line without a full stop, with text under it, is a heading. */
function bodyBlocks(body: string): DocumentBlock[] {
  return body
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter((block) => block.length > 0)
    .flatMap((block): DocumentBlock[] => {
      const [first, ...rest] = block.split('\n');
      if (rest.length > 0 && first && first.length < 60 && !/[.,:;!?]$/.test(first))
        return [
          { kind: 'heading', text: first },
          { kind: 'paragraph', text: rest.join('\n') },
        ];
      return [{ kind: 'paragraph', text: block }];
    });
}
