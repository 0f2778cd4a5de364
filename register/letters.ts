import type { LetterChannel } from '../domain/letters';
import type { PersonalData } from '../platform/personal-data';
import type { SqlQueryable } from './sql';

// The letters kept in the register (migration 005): every letter a complainant was sent, e-mailed or queued to
// post, with the PDF of a letter to post; "letters to post" is the queue staff print from and mark posted.

export const letterStatuses = ['sent', 'to-post', 'posted'] as const;
export type LetterStatus = (typeof letterStatuses)[number];

export interface NewLetter {
  id: string;
  noticeId: string;
  ref: string;
  kind: string;
  channel: LetterChannel;
  recipientName: string;
  recipientEmail?: string;
  addressLines?: string[];
  subject: string;
  body: string;
  pdf?: Uint8Array;
  createdAt: string;
  postBy?: string;
}

export interface LetterRecord {
  id: string;
  ref: string;
  kind: string;
  channel: LetterChannel;
  status: LetterStatus;
  recipientName: string;
  recipientEmail: string | null;
  /** The envelope window's lines; null when the complainant gave no postal address (staff must find one). */
  addressLines: string[] | null;
  subject: string;
  body: string;
  hasPdf: boolean;
  createdAt: string;
  postBy: string | null;
  posted: { at: string; by: string } | null;
  remindedAt: string | null;
}

export type MarkPostedOutcome = { ok: true; letter: LetterRecord } | { ok: false; why: 'not-found' | 'not-to-post' };

export interface LetterStore {
  /** Keeps a letter once (by id): a repeat returns the letter as first kept. */
  keep(letter: NewLetter): Promise<LetterRecord>;
  list(filter?: { status?: LetterStatus; ref?: string; limit?: number }): Promise<LetterRecord[]>;
  get(id: string): Promise<LetterRecord | undefined>;
  pdf(id: string): Promise<Uint8Array | undefined>;
  /** A person marks a letter to post as posted; not-to-post when it went by e-mail or is already posted (the first marking stands). */
  markPosted(id: string, by: string, at: Date): Promise<MarkPostedOutcome>;
  markReminded(id: string, at: Date): Promise<void>;
}

interface LetterRow {
  id: string;
  ref: string;
  kind: string;
  channel: string;
  status: string;
  recipient_name: string;
  recipient_email: string | null;
  address_lines: string[] | string | null;
  subject: string;
  body: string;
  has_pdf: boolean;
  created_at: Date | string;
  post_by: Date | string | null;
  posted_at: Date | string | null;
  posted_by: string | null;
  reminded_at: Date | string | null;
}

const COLUMNS = `id, ref, kind, channel, status, recipient_name, recipient_email, address_lines, subject, body,
  pdf_base64 IS NOT NULL AS has_pdf, created_at, post_by, posted_at, posted_by, reminded_at`;

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

function fromRow(row: LetterRow): LetterRecord {
  const lines = typeof row.address_lines === 'string' ? (JSON.parse(row.address_lines) as string[]) : row.address_lines;
  return {
    id: row.id,
    ref: row.ref,
    kind: row.kind,
    channel: row.channel === 'post' ? 'post' : 'email',
    status: row.status as LetterStatus,
    recipientName: row.recipient_name,
    recipientEmail: row.recipient_email,
    addressLines: lines,
    subject: row.subject,
    body: row.body,
    hasPdf: row.has_pdf,
    createdAt: iso(row.created_at),
    postBy: isoOrNull(row.post_by),
    posted: row.posted_at !== null ? { at: iso(row.posted_at), by: row.posted_by ?? '' } : null,
    remindedAt: isoOrNull(row.reminded_at),
  };
}

/** A letter's personal text sealed under its complaint's data key (the PDF is sealed apart, as bytes). */
async function sealedLetter(personal: PersonalData, letter: NewLetter): Promise<Omit<NewLetter, 'pdf'>> {
  const { pdf: _pdf, ...text } = letter;
  const sealed = await personal.sealFields(letter.ref, text, [
    ['recipientName'],
    ['recipientEmail'],
    ['subject'],
    ['body'],
  ]);
  if (!letter.addressLines) return sealed;
  const addressLines = await Promise.all(letter.addressLines.map((line) => personal.seal(letter.ref, line)));
  return { ...sealed, addressLines };
}

/** The letters (register/index.ts gives each complaint's letters its data key: sealed when kept, opened when read). */
export function letterStoreOver(store: SqlQueryable, personal: PersonalData): LetterStore {
  const get = async (id: string) => {
    const [row] = await store.query<LetterRow>(`SELECT ${COLUMNS} FROM letters WHERE id = $1`, [id]);
    return row ? personal.open(fromRow(row)) : undefined;
  };
  return {
    async keep(plain) {
      const letter = await sealedLetter(personal, plain);
      const pdf = plain.pdf ? await personal.sealBytes(plain.ref, plain.pdf) : null;
      // The letter as kept: the new row, or (a retried activity) the one kept before under this id.
      const [inserted] = await store.query<LetterRow>(
        `INSERT INTO letters (id, notice_id, ref, kind, channel, status, recipient_name, recipient_email, address_lines,
           subject, body, pdf_base64, created_at, post_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14)
         ON CONFLICT (id) DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          letter.id,
          letter.noticeId,
          letter.ref,
          letter.kind,
          letter.channel,
          letter.channel === 'post' ? 'to-post' : 'sent',
          letter.recipientName,
          letter.recipientEmail ?? null,
          letter.addressLines ? JSON.stringify(letter.addressLines) : null,
          letter.subject,
          letter.body,
          pdf,
          letter.createdAt,
          letter.postBy ?? null,
        ],
      );
      return inserted ? personal.open(fromRow(inserted)) : (await get(letter.id))!;
    },
    async list(filter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.status) where.push(`status = $${params.push(filter.status)}`);
      if (filter.ref) where.push(`ref = $${params.push(filter.ref)}`);
      const rows = await store.query<LetterRow>(
        `SELECT ${COLUMNS} FROM letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY created_at, id LIMIT $${params.push(filter.limit ?? 500)}`,
        params,
      );
      return personal.open(rows.map(fromRow));
    },
    get,
    async pdf(id) {
      const [row] = await store.query<{ pdf_base64: string | null }>(`SELECT pdf_base64 FROM letters WHERE id = $1`, [
        id,
      ]);
      const bytes = row?.pdf_base64 ? await personal.openBytes(row.pdf_base64) : undefined;
      return bytes ? Uint8Array.from(bytes) : undefined;
    },
    async markPosted(id, by, at) {
      const marked = await store.query<{ id: string }>(
        `UPDATE letters SET status = 'posted', posted_at = $2, posted_by = $3 WHERE id = $1 AND status = 'to-post'
         RETURNING id`,
        [id, at.toISOString(), by],
      );
      const letter = await get(id);
      if (!letter) return { ok: false, why: 'not-found' };
      if (marked.length === 0) return { ok: false, why: 'not-to-post' };
      return { ok: true, letter };
    },
    async markReminded(id, at) {
      await store.query(`UPDATE letters SET reminded_at = $2 WHERE id = $1`, [id, at.toISOString()]);
    },
  };
}
