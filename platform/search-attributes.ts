import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import { complaintSearchAttributeDefinitions } from '../workflows/search-attributes';

// The custom search attributes the product needs on its namespace. `npm start`'s dev server registers them at
// launch (--search-attribute); an external cluster gets them from `npm run temporal:register-search-attributes`
// (or the compose file's admin-tools job), and the worker checks at start that they are there.

type SearchAttributeDefinition = (typeof complaintSearchAttributeDefinitions)[number];

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const INDEXED_TYPE: Record<SearchAttributeDefinition['cliType'], temporal.api.enums.v1.IndexedValueType> = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

type WithOperatorService = Pick<Connection | NativeConnection, 'operatorService'>;

export interface SearchAttributeCheck {
  missing: SearchAttributeDefinition[];
  /** Present under the right name but with another type: cannot be fixed by registering. */
  wrongType: Array<SearchAttributeDefinition & { actual: string }>;
}

function typeName(type: temporal.api.enums.v1.IndexedValueType): string {
  return (IndexedValueType[type] ?? String(type)).replace('INDEXED_VALUE_TYPE_', '');
}

export async function checkSearchAttributes(
  connection: WithOperatorService,
  namespace: string,
): Promise<SearchAttributeCheck> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const result: SearchAttributeCheck = { missing: [], wrongType: [] };
  for (const definition of complaintSearchAttributeDefinitions) {
    const actual = customAttributes?.[definition.name];
    if (actual === undefined || actual === null) result.missing.push(definition);
    else if (actual !== INDEXED_TYPE[definition.cliType])
      result.wrongType.push({ ...definition, actual: typeName(actual) });
  }
  return result;
}

/** Registers the missing ones; running it again changes nothing. Returns the names it added. */
export async function registerSearchAttributes(connection: WithOperatorService, namespace: string): Promise<string[]> {
  const { missing, wrongType } = await checkSearchAttributes(connection, namespace);
  if (wrongType.length > 0) {
    throw new Error(
      `Search attributes with the wrong type on namespace "${namespace}": ` +
        wrongType.map((a) => `${a.name} is ${a.actual}, needs ${a.cliType}`).join('; '),
    );
  }
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((a) => [a.name, INDEXED_TYPE[a.cliType]])),
  });
  return missing.map((a) => a.name);
}

/** One line for the worker's log, or undefined when all is well. */
export function describeSearchAttributeProblems(check: SearchAttributeCheck, namespace: string): string | undefined {
  const parts: string[] = [];
  if (check.missing.length > 0) {
    parts.push(
      `missing: ${check.missing.map((a) => `${a.name} (${a.cliType})`).join(', ')} — run \`npm run temporal:register-search-attributes\``,
    );
  }
  if (check.wrongType.length > 0) {
    parts.push(`wrong type: ${check.wrongType.map((a) => `${a.name} is ${a.actual}, needs ${a.cliType}`).join(', ')}`);
  }
  return parts.length ? `Search attributes on namespace "${namespace}" ${parts.join('; ')}` : undefined;
}
