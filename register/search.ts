import type { ComplaintDetails } from '../domain/intake';
import { ERASED_TEXT } from '../domain/personal-fields';
import type { PersonalData } from '../platform/personal-data';
import type { SqlQueryable } from './sql';

// The free-text search of GET /complaints (`q`) and of the web application's worklist: the ONE place that makes a
// complaint's search words and matches a query against them. A complaint's words come from its reference, the
// complainant's and the representative's names and e-mails and the summary, normalised (accents removed, lower case, split at anything that is
// not a letter or digit; the whole reference and e-mail are words too), one row per distinct word in
// complaint_search_words (migration 004). A query matches a complaint when every word of the query begins one of its
// words.
//
// Encrypted at rest (issue 14): the table holds a blind index, a keyed hash of each word (PersonalData.searchHash,
// a key derived from the key ring), never the words; a query's words are hashed the same way, so a query matches a
// complaint when every word of the query IS one of its words (whole words: a hash has no prefixes).

/**
 * Which word-making the stored words come from; a row with an older one is indexed again (read-model.ts).
 * 2: hashed (the blind index). 3: the representative's name and e-mail too (a subject access request finds a person
 * who acted for another).
 */
export const SEARCH_VERSION = 3;

/** Words longer than this are cut (a summary is free text); a complaint keeps at most MAX_WORDS distinct words. */
const MAX_WORD_LENGTH = 64;
const MAX_WORDS = 2_000;
/** A query of more words than this is refused by the API's schema (api/complaint-reads.ts). */
export const MAX_QUERY_WORDS = 8;

function normalise(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

function wordsOf(text: string): string[] {
  return normalise(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((word) => word.slice(0, MAX_WORD_LENGTH));
}

/** The words a complaint is found by. */
export function searchWords(
  ref: string,
  details: Pick<ComplaintDetails, 'complainant' | 'summary' | 'representative'>,
): string[] {
  const words = new Set<string>();
  const { complainant, representative } = details;
  const whole = [ref, complainant.email, representative?.email].filter((value): value is string => Boolean(value));
  for (const value of whole) words.add(normalise(value).slice(0, MAX_WORD_LENGTH));
  const texts = [
    ref,
    complainant.name,
    complainant.email,
    representative?.name,
    representative?.email,
    details.summary,
  ];
  for (const text of texts) for (const word of wordsOf(text ?? '')) words.add(word);
  return [...words].slice(0, MAX_WORDS);
}

/** The blind index of a complaint (its details opened first: they are sealed); the reference alone once erased. */
export async function searchIndexOf(
  personal: PersonalData,
  ref: string,
  sealed: Pick<ComplaintDetails, 'complainant' | 'summary' | 'representative'>,
): Promise<string[]> {
  const { complainant, summary, representative } = sealed;
  const details = await personal.open({ complainant, summary, ...(representative ? { representative } : {}) });
  const erased = details.complainant.name === ERASED_TEXT;
  const words = erased ? searchWords(ref, { complainant: { name: '' }, summary: '' }) : searchWords(ref, details);
  return words.map((word) => personal.searchHash(word));
}

/** The hashed words of a query (empty: nothing to search for). */
export function searchTermsOf(personal: Pick<PersonalData, 'searchHash'>, query: string): string[] {
  return [...new Set(wordsOf(query))].slice(0, MAX_QUERY_WORDS).map((word) => personal.searchHash(word));
}

/**
 * The SQL condition on `complaints c` for a query's hashed terms, its parameter (the term, or the terms as an array) numbered
 * `firstParam`: every term is a word of the complaint. One subquery for all the terms, not one per term: an e-mail
 * address is five words, and planning five subqueries was most of the search's time (16 of 17 ms on PostgreSQL,
 * 131 ms on PGlite, bench/README.md "Web pages").
 */
export function searchClause(terms: readonly string[], firstParam: number): { sql: string; params: unknown[] } {
  const distinct = [...new Set(terms)];
  // One word (a common word of summaries matches thousands): a plain semi-join, no grouping to count.
  if (distinct.length === 1)
    return {
      sql: `c.ref IN (SELECT w.ref FROM complaint_search_words w WHERE w.word = $${firstParam})`,
      params: distinct,
    };
  const sql =
    `c.ref IN (SELECT w.ref FROM complaint_search_words w WHERE w.word = ANY($${firstParam}::text[]) ` +
    `GROUP BY w.ref HAVING count(DISTINCT w.word) = ${distinct.length})`;
  return { sql, params: [distinct] };
}

/** Replaces a complaint's index (in the caller's transaction). */
export async function writeSearchWords(tx: SqlQueryable, ref: string, words: readonly string[]): Promise<void> {
  await tx.query('DELETE FROM complaint_search_words WHERE ref = $1', [ref]);
  await tx.query('UPDATE complaints SET search_version = $2 WHERE ref = $1', [ref, SEARCH_VERSION]);
  if (words.length === 0) return;
  await tx.query(
    'INSERT INTO complaint_search_words (ref, word) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING',
    [ref, words],
  );
}
