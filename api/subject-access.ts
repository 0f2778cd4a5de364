import { z } from 'zod';
import { type ComplaintState } from '../domain/complaint';
import { ComplaintStateSchema } from '../domain/complaint-state';
import { ComplimentSchema } from '../domain/compliments';
import { TextSchema } from '../domain/vocabulary';
import type { Register } from '../register';
import { searchWords } from '../register/search';
import { ComplaintListQuerySchema, type ComplaintReads, type Viewer } from './complaint-reads';
import { badRequest } from './errors';
import { LetterSchema } from './letter-service';

// Subject access requests (issue 14; UK GDPR article 15): everything the register holds about one person, found by
// their whole e-mail address or the words of their name, across complaints (as complainant or representative: the
// complaint in full, its timeline and the letters sent) and compliments (whose text names them). Candidates come from
// the register's search (register/search.ts, by whole words, so it works over the blind index as well); each is then
// kept only if the person is its complainant or representative. Complaints whose summary names the person (the
// address, or every word of the name) are listed by reference only, for the person answering the request to review: they
// hold other people's data. The route records each complaint disclosed in the access log.

export const SubjectAccessQuerySchema = z
  .object({
    email: TextSchema.trim()
      .min(3)
      .max(320)
      .optional()
      .describe("The person's whole e-mail address (case ignored); give email or name, not both"),
    name: TextSchema.trim()
      .min(1)
      .max(200)
      .optional()
      .describe("The person's name: each word a whole word of their name (case and accents ignored)"),
    format: z.enum(['json', 'html']).optional().describe('json, or html (a printable page); default: by Accept'),
  })
  .strict();
export type SubjectAccessQuery = z.infer<typeof SubjectAccessQuerySchema>;

export type Subject = { email: string } | { name: string };

const HeldComplaintSchema = z.object({
  ref: z.string(),
  as: z.array(z.enum(['complainant', 'representative'])).describe('How the person appears in it'),
  complaint: ComplaintStateSchema,
  letters: z.array(LetterSchema).describe('The letters kept in its record'),
});

export const SubjectAccessBundleSchema = z.object({
  subject: z.object({ email: z.string().optional(), name: z.string().optional() }),
  generatedAt: z.string(),
  complaints: z.array(HeldComplaintSchema),
  compliments: z.array(ComplimentSchema).describe('Compliments whose text names the person'),
  otherMatches: z
    .array(z.string())
    .describe('References of complaints the search found in which the person is neither party (review them)'),
});
export type SubjectAccessBundle = z.infer<typeof SubjectAccessBundleSchema>;
type HeldComplaint = z.infer<typeof HeldComplaintSchema>;

/** The one subject of the query: 400 unless exactly one of email and name is given. */
export function subjectOf(query: SubjectAccessQuery): Subject {
  if ((query.email === undefined) === (query.name === undefined))
    throw badRequest('invalid-subject', 'Give the person as email or as name (one of them)', [
      { in: 'querystring', path: query.email === undefined ? 'email' : 'name', message: 'give email or name' },
    ]);
  return query.email !== undefined ? { email: query.email } : { name: query.name! };
}

/** The words a text is searched by (the register's own rule). */
const wordsOf = (text: string) => searchWords('', { complainant: { name: text }, summary: '' });

/** Whether `person` (a complainant or representative) is the subject. */
function isSubject(subject: Subject, person: { name: string; email?: string | undefined } | undefined): boolean {
  if (!person) return false;
  if ('email' in subject) return person.email?.trim().toLowerCase() === subject.email.toLowerCase();
  const words = new Set(wordsOf(person.name));
  return wordsOf(subject.name).every((word) => words.has(word));
}

/** Whether a text (a summary, a compliment) names the subject: holds the address, or every word of the name. */
function mentions(subject: Subject, text: string): boolean {
  if ('email' in subject) return text.toLowerCase().includes(subject.email.toLowerCase());
  const words = new Set(wordsOf(text));
  return wordsOf(subject.name).every((word) => words.has(word));
}

export class SubjectAccess {
  constructor(
    /** A ComplaintReads WITHOUT the access log: the route logs what it discloses, not what it looked at. */
    private readonly reads: ComplaintReads,
    private readonly register: Pick<Register, 'letters' | 'compliments'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Everything held about the subject; read by `viewer` (who must be allowed to read personal data). */
  async find(subject: Subject, viewer: Viewer, route: string): Promise<SubjectAccessBundle> {
    const candidates = await this.candidates(subject, viewer, route);
    const complaints: HeldComplaint[] = [];
    const otherMatches: string[] = [];
    for (const ref of candidates) {
      const { state } = await this.reads.get(ref);
      const as = partiesOf(subject, state);
      if (as.length === 0) {
        // Found by words the address or name shares with other text: kept for review only if it names them.
        if (mentions(subject, state.details.summary)) otherMatches.push(ref);
        continue;
      }
      complaints.push({ ref, as, complaint: state, letters: await this.register.letters.list({ ref }) });
    }
    const compliments = (await this.register.compliments()).filter((compliment) =>
      mentions(subject, compliment.summary),
    );
    return { subject, generatedAt: this.now().toISOString(), complaints, compliments, otherMatches };
  }

  /** The refs the register's search finds for the subject's words, every page. */
  private async candidates(subject: Subject, viewer: Viewer, route: string): Promise<string[]> {
    const q = 'email' in subject ? subject.email : subject.name;
    const refs: string[] = [];
    let cursor: string | undefined;
    do {
      const query = ComplaintListQuerySchema.parse({ q, sort: 'ref', limit: '100', ...(cursor ? { cursor } : {}) });
      const page = await this.reads.list(query, viewer, route);
      refs.push(...page.items.map((item) => item.ref));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return refs;
  }
}

function partiesOf(subject: Subject, state: ComplaintState): HeldComplaint['as'] {
  const as: HeldComplaint['as'] = [];
  if (isSubject(subject, state.details.complainant)) as.push('complainant');
  if (isSubject(subject, state.details.representative)) as.push('representative');
  return as;
}
