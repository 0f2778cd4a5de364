import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { A4, ADDRESS_WINDOW, printable, renderA4, wrapText } from '../../documents/pdf';
import { pdfText } from '../support/pdf-text';

// A 1 x 1 red PNG.
const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
    'base64',
  ),
);

describe('documents/pdf renderA4', () => {
  it('writes an A4 letter: the council at the head, the address, the text, page numbers', async () => {
    const bytes = await renderA4({
      header: {
        organisationName: 'Dundee City Council',
        organisationLines: ['Social Work'],
        logo: { bytes: PNG, type: 'png' },
      },
      title: 'Letter',
      address: ['Ms Zofia Łukasiewicz', '12 High Street', 'Dundee', 'DD1 1AA'],
      dateLine: 'Monday 2 March 2026',
      reference: 'Our reference: SW-2026-000001',
      blocks: [
        { kind: 'paragraph', text: 'Dear Ms Łukasiewicz,' },
        { kind: 'heading', text: 'What happens next' },
        { kind: 'paragraph', text: 'We will reply by Friday 27 March 2026.' },
      ],
      createdAt: new Date('2026-03-02T10:00:00Z'),
    });
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBe(1);
    const { width, height } = pdf.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([Math.round(A4.widthPt), Math.round(A4.heightPt)]);
    const { text } = await pdfText(bytes);
    for (const expected of [
      'Dundee City Council',
      'Social Work',
      'Ms Zofia Lukasiewicz',
      'DD1 1AA',
      'Monday 2 March 2026',
      'Our reference: SW-2026-000001',
      'What happens next',
      'We will reply by Friday 27 March 2026.',
      'Page 1 of 1',
    ])
      expect(text).toContain(expected);
  });

  it('wraps long text onto more pages, each numbered', async () => {
    const paragraph = 'The council looked into every part of what you told us and spoke to the staff involved. '.repeat(
      40,
    );
    const bytes = await renderA4({
      header: { organisationName: 'Dundee City Council' },
      title: 'Long',
      blocks: Array.from({ length: 5 }, () => ({ kind: 'paragraph' as const, text: paragraph })),
      createdAt: new Date('2026-03-02T10:00:00Z'),
    });
    const { pages } = await pdfText(bytes);
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((page, index) => expect(page).toContain(`Page ${index + 1} of ${pages.length}`));
  });

  it('is the same bytes for the same document', async () => {
    const document = {
      header: { organisationName: 'Council' },
      title: 'Same',
      blocks: [{ kind: 'paragraph' as const, text: 'Hello' }],
      createdAt: new Date('2026-03-02T10:00:00Z'),
    };
    expect(Buffer.from(await renderA4(document)).equals(Buffer.from(await renderA4(document)))).toBe(true);
  });

  it('wraps by width and cuts a word longer than the line', () => {
    const widthOf = (text: string) => text.length;
    expect(wrapText('aa bb cc dd', widthOf, 5)).toEqual(['aa bb', 'cc dd']);
    expect(wrapText('abcdefghij', widthOf, 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('', widthOf, 4)).toEqual(['']);
  });

  it('keeps what the standard fonts can write and replaces the rest', () => {
    expect(printable('Café £5 – “ok”')).toBe('Café £5 – “ok”');
    expect(printable('Łódź 東京')).toBe('Lódz ??');
    expect(ADDRESS_WINDOW.leftMm).toBe(20);
  });
});
