import type { Notice } from '../domain/notices';
import type { AppConfig } from '../platform/config';
import { printedLetter, letterSettingsFrom, type PrintedLetter } from './letters';
import { loadNoticeTemplates } from './messages';
import { staffDirectoryFor } from './staff-directory';

/** Prints complainants' letters as the worker's delivery does (same directory, templates, council name and logo). */
export interface LetterPrinter {
  print(notice: Notice): Promise<PrintedLetter>;
}

export function letterPrinterFromConfig(
  config: Pick<AppConfig, 'STAFF_DIRECTORY_PATH' | 'COUNCIL_NAME' | 'COUNCIL_LOGO_PATH'>,
): LetterPrinter {
  const { directory } = staffDirectoryFor(config.STAFF_DIRECTORY_PATH);
  const templates = loadNoticeTemplates();
  const settings = letterSettingsFrom(config, directory);
  return { print: (notice) => printedLetter(notice, { directory, templates, settings }) };
}
