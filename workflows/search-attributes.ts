import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
  type TypedSearchAttributes,
} from '@temporalio/common';
import { isOverdue, nextDeadline, type ComplaintState } from '../domain/complaint';
import { procedureKey, type Procedure } from '../domain/procedure';

// Custom search attributes let the API list and filter complaints from Temporal visibility
// without querying each workflow. They must be registered on the namespace before use:
// `npm start` does it for its dev server; see README for an external cluster.
//
// This table is the one mapping between a complaint and its search attributes: the start options take the values
// of the complaint's initial state from it, the workflow upserts what it gives for the current state, and the API's
// list reads each attribute back into the list item's field of the same name.

// The SDK exports the key's constructor, not its type.
type SearchAttributeKey<T extends SearchAttributeType> = ReturnType<typeof defineSearchAttributeKey<T>>;

type Kind = 'Keyword' | 'Datetime' | 'Bool';
const TYPE = {
  Keyword: SearchAttributeType.KEYWORD,
  Datetime: SearchAttributeType.DATETIME,
  Bool: SearchAttributeType.BOOL,
} as const;
/** A keyword is a string, a datetime an ISO instant, as the complaint state holds them; null = no value. */
type Value<K extends Kind> = K extends 'Bool' ? boolean : string | null;
type ReadBack<K extends Kind> = K extends 'Bool' ? boolean | null : string | null;

interface Attribute<K extends Kind> {
  key: SearchAttributeKey<(typeof TYPE)[K]>;
  cliType: K;
  of: (state: ComplaintState, procedure: Procedure) => Value<K>;
  /** False for an attribute a complaint has never been started with (the workflow's first upsert sets it). */
  atStart: boolean;
}

const attribute = <K extends Kind>(name: string, cliType: K, of: Attribute<K>['of'], atStart = true): Attribute<K> => ({
  key: defineSearchAttributeKey(name, TYPE[cliType]),
  cliType,
  of,
  atStart,
});

/** Field of the API's list item → its search attribute. Order = the order of the workflow's upsert. */
export const complaintSearchAttributes = {
  status: attribute('ComplaintStatus', 'Keyword', (state) => state.status),
  stage: attribute('ComplaintStage', 'Keyword', (state) => state.currentStage),
  serviceArea: attribute('ComplaintServiceArea', 'Keyword', (state) => state.details.serviceArea),
  category: attribute('ComplaintCategory', 'Keyword', (state) => state.details.category),
  caseOfficer: attribute('ComplaintCaseOfficer', 'Keyword', (state) => state.caseOfficer?.id ?? null),
  procedure: attribute('ComplaintProcedure', 'Keyword', (state) => procedureKey(state.procedure)),
  // Absent from the start options until issue 17 (the workflow's first upsert set it); now started with it, so that
  // the first task has nothing to upsert (complaint-run.ts COMPACT_HISTORY).
  nextDeadline: attribute('ComplaintNextDeadline', 'Datetime', (s, p) => nextDeadline(s, p)?.dueAt ?? null),
  receivedAt: attribute('ComplaintReceivedAt', 'Datetime', (state) => state.receivedAt),
  overdue: attribute('ComplaintOverdue', 'Bool', (state) => isOverdue(state)),
};
export type ComplaintSearchAttributeField = keyof typeof complaintSearchAttributes;
type AnyAttribute = Attribute<'Keyword'> | Attribute<'Datetime'> | Attribute<'Bool'>;
const attributes = Object.values(complaintSearchAttributes) as AnyAttribute[];

export const complaintStatusKey = complaintSearchAttributes.status.key;
export const complaintStageKey = complaintSearchAttributes.stage.key;
export const complaintServiceAreaKey = complaintSearchAttributes.serviceArea.key;
export const complaintCategoryKey = complaintSearchAttributes.category.key;
export const complaintCaseOfficerKey = complaintSearchAttributes.caseOfficer.key;
export const complaintProcedureKey = complaintSearchAttributes.procedure.key;
export const complaintNextDeadlineKey = complaintSearchAttributes.nextDeadline.key;
export const complaintReceivedAtKey = complaintSearchAttributes.receivedAt.key;
export const complaintOverdueKey = complaintSearchAttributes.overdue.key;

export const complaintSearchAttributeKeys = attributes.map((a) => a.key);

/** Name → CLI type name, as `temporal operator search-attribute create --name N --type T` and `--search-attribute N=T` expect. */
export const complaintSearchAttributeDefinitions: ReadonlyArray<{ name: string; cliType: Kind }> = attributes.map(
  (a) => ({ name: a.key.name, cliType: a.cliType }),
);

/** Every attribute's value for this state, in the table's order; null removes the attribute. */
export function searchAttributeUpdates(state: ComplaintState, procedure: Procedure): SearchAttributeUpdatePair[] {
  return attributes.map((a) => {
    const value = a.of(state, procedure);
    return { key: a.key, value: a.cliType === 'Datetime' && typeof value === 'string' ? new Date(value) : value };
  }) as SearchAttributeUpdatePair[];
}

/**
 * The values a workflow's search attributes hold now (null for an absent one), as `searchAttributeUpdates` gives them:
 * what an upsert of the same values would not change.
 */
export function currentSearchAttributeValues(typed: TypedSearchAttributes): unknown[] {
  return attributes.map((a) => typed.get(a.key as SearchAttributeKey<SearchAttributeType>) ?? null);
}

/** What a complaint starts with: the initial state's values, except those without one or not set at start. */
export function startSearchAttributes(state: ComplaintState, procedure: Procedure): SearchAttributePair[] {
  const updates = searchAttributeUpdates(state, procedure);
  return updates.filter((pair, i) => attributes[i]!.atStart && pair.value !== null) as SearchAttributePair[];
}

/** The list item's fields, read back from a listed execution's search attributes (null when absent). */
export function readSearchAttributes(typed: TypedSearchAttributes): {
  [F in ComplaintSearchAttributeField]: ReadBack<(typeof complaintSearchAttributes)[F]['cliType']>;
} {
  const fields = Object.entries(complaintSearchAttributes) as Array<[ComplaintSearchAttributeField, AnyAttribute]>;
  return Object.fromEntries(
    fields.map(([field, a]) => {
      const value = typed.get(a.key as SearchAttributeKey<SearchAttributeType>);
      return [field, value instanceof Date ? value.toISOString() : (value ?? null)];
    }),
  ) as ReturnType<typeof readSearchAttributes>;
}
