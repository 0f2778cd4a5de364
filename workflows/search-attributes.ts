import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes let the API list and filter complaints from Temporal visibility
// without querying each workflow. They must be registered on the namespace before use:
// `npm start` does it for its dev server; see README for an external cluster.
export const complaintStatusKey = defineSearchAttributeKey('ComplaintStatus', SearchAttributeType.KEYWORD);
export const complaintStageKey = defineSearchAttributeKey('ComplaintStage', SearchAttributeType.KEYWORD);
export const complaintServiceAreaKey = defineSearchAttributeKey('ComplaintServiceArea', SearchAttributeType.KEYWORD);
export const complaintCategoryKey = defineSearchAttributeKey('ComplaintCategory', SearchAttributeType.KEYWORD);
export const complaintCaseOfficerKey = defineSearchAttributeKey('ComplaintCaseOfficer', SearchAttributeType.KEYWORD);
export const complaintProcedureKey = defineSearchAttributeKey('ComplaintProcedure', SearchAttributeType.KEYWORD);
export const complaintNextDeadlineKey = defineSearchAttributeKey('ComplaintNextDeadline', SearchAttributeType.DATETIME);
export const complaintReceivedAtKey = defineSearchAttributeKey('ComplaintReceivedAt', SearchAttributeType.DATETIME);
export const complaintOverdueKey = defineSearchAttributeKey('ComplaintOverdue', SearchAttributeType.BOOL);

export const complaintSearchAttributeKeys = [
  complaintStatusKey,
  complaintStageKey,
  complaintServiceAreaKey,
  complaintCategoryKey,
  complaintCaseOfficerKey,
  complaintProcedureKey,
  complaintNextDeadlineKey,
  complaintReceivedAtKey,
  complaintOverdueKey,
] as const;

/** Name → CLI type name, as `temporal operator search-attribute create --name N --type T` and `--search-attribute N=T` expect. */
export const complaintSearchAttributeDefinitions: ReadonlyArray<{
  name: string;
  cliType: 'Keyword' | 'Datetime' | 'Bool';
}> = complaintSearchAttributeKeys.map((key) => ({
  name: key.name,
  cliType:
    key.type === SearchAttributeType.KEYWORD
      ? 'Keyword'
      : key.type === SearchAttributeType.DATETIME
        ? 'Datetime'
        : 'Bool',
}));
