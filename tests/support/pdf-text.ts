import { PDFParse } from 'pdf-parse';

/** A PDF's text, page by page (pdf-parse), so tests read what a printed letter or paper says. */
export async function pdfText(bytes: Uint8Array): Promise<{ text: string; pages: string[] }> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    return { text: result.text, pages: result.pages.map((page) => page.text) };
  } finally {
    await parser.destroy();
  }
}
