/**
 * The single DynamoDB table, described once. The CDK construct (infra/cloud/constructs/data-table.ts)
 * and the local runtime (infra/local/create-table.ts) both build the table from these constants,
 * so the two cannot drift. Access patterns and key formats are documented in ./keys.ts.
 */

export const KEY_ATTRIBUTES = {
  pk: 'pk',
  sk: 'sk',
} as const;

export interface IndexDefinition {
  /** Index name, named after the access pattern it serves. */
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

/** A unit's duties across plans (D2), and each recipient's notice inbox (N2). */
export const INDEX_BY_UNIT: IndexDefinition = {
  name: 'byUnit',
  partitionKey: 'gsi1pk',
  sortKey: 'gsi1sk',
};

/** A plan's duties by status, directory listings of units and plans, all notices (D3, U2, P2, N3). */
export const INDEX_BY_PARENT: IndexDefinition = {
  name: 'byParent',
  partitionKey: 'gsi2pk',
  sortKey: 'gsi2sk',
};

/** Sparse: only open duties carry these attributes, ordered by due time (pattern D4). */
export const INDEX_OPEN_BY_DUE: IndexDefinition = {
  name: 'openByDue',
  partitionKey: 'gsi3pk',
  sortKey: 'gsi3sk',
};

/**
 * Sparse: only open duties with an escalation level still to come carry these, ordered by the time
 * of that level (pattern D5). A sweep reads what is due, never what exists.
 */
export const INDEX_SWEEP_BY_NEXT_ACTION: IndexDefinition = {
  name: 'sweepByNextAction',
  partitionKey: 'gsi4pk',
  sortKey: 'gsi4sk',
};

export const INDEXES: readonly IndexDefinition[] = [
  INDEX_BY_UNIT,
  INDEX_BY_PARENT,
  INDEX_OPEN_BY_DUE,
  INDEX_SWEEP_BY_NEXT_ACTION,
];

/** All key attributes are strings. */
export const ATTRIBUTE_TYPE = 'S' as const;

/** Default table name for the local runtime; in AWS the name comes from the stack. */
export const DEFAULT_TABLE_NAME = 'duban';

/** Items with this attribute (epoch seconds) are expired by DynamoDB; nothing sets it yet. */
export const TTL_ATTRIBUTE = 'expiresAt';
