import { readFileSync } from 'node:fs';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFImage, type PDFPage } from 'pdf-lib';

// The one A4 page layout of every printed document (letters to post, the committee paper): the council's name and
// logo at the head of the first page, text wrapped to the margins, as many pages as it takes, "Page n of m" at the
// foot of each. Standard PDF fonts (Helvetica), so no font file ships; text they cannot write (outside Windows-1252)
// is written without its accents, else as "?" (`printable`).
//
// Letters put the address where a window envelope shows it: the DL / C5 left window (90 x 35 mm, 20 mm from the
// left edge) over an A4 sheet folded in three. The address block starts 20 mm from the left edge and 50 mm below
// the top edge, at most 85 mm wide and 7 lines (35 mm) tall (ADDRESS_WINDOW, in millimetres).

export const A4 = { widthPt: 595.28, heightPt: 841.89 } as const;
const MM = 72 / 25.4;
export const ADDRESS_WINDOW = { leftMm: 20, topMm: 50, widthMm: 85, heightMm: 35, maxLines: 7 } as const;
const MARGIN = { leftMm: 20, rightMm: 20, topMm: 15, bottomMm: 20 } as const;
const BODY_SIZE = 11;
const LEADING = 1.35;

export interface DocumentHeader {
  /** The council's name, at the head of the first page (and, small, on the following ones). */
  organisationName: string;
  /** Lines under the name (department, return address, telephone). */
  organisationLines?: readonly string[];
  /** The logo: PNG or JPEG bytes (platform/config.ts COUNCIL_LOGO_PATH). */
  logo?: { bytes: Uint8Array; type: 'png' | 'jpg' };
}

/** The council's logo file (COUNCIL_LOGO_PATH: .png, else JPEG) for a document's header; none without a path. */
export function logoFromFile(path: string | undefined): DocumentHeader['logo'] {
  if (!path) return undefined;
  return { bytes: readFileSync(path), type: /\.png$/i.test(path) ? 'png' : 'jpg' };
}

export type DocumentBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  /** Lines kept as they are (a table in text, a signature). */
  | { kind: 'lines'; lines: readonly string[] };

export interface A4Document {
  header: DocumentHeader;
  /** PDF metadata title. */
  title: string;
  /** For letters: the recipient's name and address, placed for the window envelope. */
  address?: readonly string[];
  /** A line at the right under the header (a letter's date, the paper's number). */
  dateLine?: string;
  /** A line in bold before the text (a letter's "Our reference"). */
  reference?: string;
  blocks: readonly DocumentBlock[];
  /** Fixed creation date (deterministic output: the same letter is the same bytes). */
  createdAt: Date;
}

/** The document as PDF bytes. */
export async function renderA4(document: A4Document): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(printable(document.title));
  pdf.setProducer('complaints');
  pdf.setCreator('complaints');
  pdf.setCreationDate(document.createdAt);
  pdf.setModificationDate(document.createdAt);
  const fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
  };
  const logo = document.header.logo
    ? document.header.logo.type === 'png'
      ? await pdf.embedPng(document.header.logo.bytes)
      : await pdf.embedJpg(document.header.logo.bytes)
    : undefined;

  const layout = new PageLayout(pdf, fonts, document.header, logo);
  layout.firstPage(document);
  for (const block of document.blocks) layout.block(block);
  layout.footers();
  return pdf.save({ useObjectStreams: false });
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

class PageLayout {
  private page!: PDFPage;
  private y = 0;
  private readonly left = MARGIN.leftMm * MM;
  private readonly width = A4.widthPt - (MARGIN.leftMm + MARGIN.rightMm) * MM;
  private readonly bottom = MARGIN.bottomMm * MM;

  constructor(
    private readonly pdf: PDFDocument,
    private readonly fonts: Fonts,
    private readonly header: DocumentHeader,
    private readonly logo: PDFImage | undefined,
  ) {}

  firstPage(document: A4Document): void {
    this.page = this.pdf.addPage([A4.widthPt, A4.heightPt]);
    const top = A4.heightPt - MARGIN.topMm * MM;
    // The council's name and lines at the right; the logo at the left, up to 25 mm tall.
    let headerBottom = top;
    if (this.logo) {
      const scale = Math.min((25 * MM) / this.logo.height, (60 * MM) / this.logo.width);
      const size = { width: this.logo.width * scale, height: this.logo.height * scale };
      this.page.drawImage(this.logo, { x: this.left, y: top - size.height, ...size });
      headerBottom = top - size.height;
    }
    let y = top - 14;
    y = this.rightAligned(this.header.organisationName, y, this.fonts.bold, 14);
    for (const line of this.header.organisationLines ?? []) y = this.rightAligned(line, y, this.fonts.regular, 9);
    headerBottom = Math.min(headerBottom, y);

    if (document.address) {
      const window = ADDRESS_WINDOW;
      let ay = A4.heightPt - window.topMm * MM - BODY_SIZE;
      for (const line of document.address.slice(0, window.maxLines)) {
        const text = this.fitted(printable(line), this.fonts.regular, BODY_SIZE, window.widthMm * MM);
        this.page.drawText(text, { x: window.leftMm * MM, y: ay, size: BODY_SIZE, font: this.fonts.regular });
        ay -= BODY_SIZE * 1.2;
      }
      headerBottom = Math.min(headerBottom, A4.heightPt - (window.topMm + window.heightMm) * MM);
    }
    this.y = headerBottom - 10 * MM;
    if (document.dateLine) this.y = this.rightAligned(document.dateLine, this.y, this.fonts.regular, BODY_SIZE) - 6;
    if (document.reference) this.wrapped(document.reference, this.fonts.bold, BODY_SIZE);
    this.y -= BODY_SIZE * 0.6;
  }

  block(block: DocumentBlock): void {
    switch (block.kind) {
      case 'heading':
        this.ensureRoom(BODY_SIZE * LEADING * 3);
        this.y -= BODY_SIZE * 0.4;
        this.wrapped(block.text, this.fonts.bold, BODY_SIZE + 1);
        break;
      case 'paragraph':
        for (const paragraph of block.text.split(/\n/)) this.wrapped(paragraph, this.fonts.regular, BODY_SIZE);
        this.y -= BODY_SIZE * 0.6;
        break;
      case 'lines':
        for (const line of block.lines) {
          this.ensureRoom(BODY_SIZE * LEADING);
          this.line(this.fitted(printable(line), this.fonts.regular, BODY_SIZE, this.width), this.fonts.regular);
        }
        this.y -= BODY_SIZE * 0.6;
        break;
    }
  }

  /** "Page n of m" at the foot of every page, once the pages are known. */
  footers(): void {
    const pages = this.pdf.getPages();
    pages.forEach((page, index) => {
      const text = `Page ${index + 1} of ${pages.length}`;
      const size = 8;
      const width = this.fonts.regular.widthOfTextAtSize(text, size);
      page.drawText(text, {
        x: A4.widthPt - MARGIN.rightMm * MM - width,
        y: this.bottom / 2,
        size,
        font: this.fonts.regular,
        color: rgb(0.3, 0.3, 0.3),
      });
    });
  }

  private newPage(): void {
    this.page = this.pdf.addPage([A4.widthPt, A4.heightPt]);
    const top = A4.heightPt - MARGIN.topMm * MM;
    this.rightAligned(this.header.organisationName, top - 9, this.fonts.regular, 8);
    this.y = top - 12 * MM;
  }

  private ensureRoom(height: number): void {
    if (this.y - height < this.bottom) this.newPage();
  }

  private wrapped(text: string, font: PDFFont, size: number): void {
    const lines = wrapText(printable(text), (candidate) => font.widthOfTextAtSize(candidate, size), this.width);
    for (const line of lines) {
      this.ensureRoom(size * LEADING);
      this.line(line, font, size);
    }
  }

  private line(text: string, font: PDFFont, size = BODY_SIZE): void {
    this.y -= size * LEADING;
    if (text) this.page.drawText(text, { x: this.left, y: this.y, size, font });
  }

  private rightAligned(text: string, y: number, font: PDFFont, size: number): number {
    const printed = printable(text);
    const width = font.widthOfTextAtSize(printed, size);
    this.page.drawText(printed, { x: A4.widthPt - MARGIN.rightMm * MM - width, y, size, font });
    return y - size * 1.25;
  }

  private fitted(text: string, font: PDFFont, size: number, width: number): string {
    let fitted = text;
    while (fitted.length > 1 && font.widthOfTextAtSize(fitted, size) > width) fitted = fitted.slice(0, -1);
    return fitted;
  }
}

/** Greedy word wrap; a word longer than the line is cut. An empty text is one empty line. */
export function wrapText(text: string, widthOf: (text: string) => number, maxWidth: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/[ \t]+/).filter((w) => w.length > 0)) {
    const candidate = current ? `${current} ${word}` : word;
    if (widthOf(candidate) <= maxWidth) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    let rest = word;
    while (widthOf(rest) > maxWidth && rest.length > 1) {
      let cut = rest.length - 1;
      while (cut > 1 && widthOf(rest.slice(0, cut)) > maxWidth) cut--;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  lines.push(current);
  return lines;
}

// Windows-1252 beyond ASCII, which the standard fonts can write.
const WIN_ANSI_EXTRA = new Set(
  '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ\u00a0¡¢£¤¥¦§¨©ª«¬\u00ad®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ',
);

// Letters with a stroke or a dot that NFKD does not take apart.
const STROKED: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', ŀ: 'l', Ŀ: 'L' };

/** The text as the standard fonts can write it: accents dropped from letters they lack, anything else as "?". */
export function printable(text: string): string {
  let out = '';
  for (const char of text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ')) {
    const code = char.codePointAt(0)!;
    if ((code >= 0x20 && code < 0x7f) || char === '\n' || WIN_ANSI_EXTRA.has(char)) {
      out += char;
      continue;
    }
    const base = (STROKED[char] ?? char).normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    out += [...base].every((c) => (c.codePointAt(0)! >= 0x20 && c.codePointAt(0)! < 0x7f) || WIN_ANSI_EXTRA.has(c))
      ? base
      : '?';
  }
  return out;
}
