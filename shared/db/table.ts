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

/**
 * Sparse: only open duties carry these attributes, ordered by due time (pattern D4), and, in
 * partitions of their own, submitted duties waiting in a sign-off chain (D6): a duty is never both.
 */
export const INDEX_OPEN_BY_DUE: IndexDefinition = {
  name: 'openByDue',
  partitionKey: 'gsi3pk',
  sortKey: 'gsi3sk',
};

/**
 * Sparse: only open duties with an escalation level still to come carry these, ordered by the time
 * of that level (pattern D5), and, in partitions of their own, sweep claims still held (S1). A
 * sweep reads what is due, never what exists.
 */
export const INDEX_SWEEP_BY_NEXT_ACTION: IndexDefinition = {
  name: 'sweepByNextAction',
  partitionKey: 'gsi4pk',
  sortKey: 'gsi4sk',
};

/**
 * A task's duties, every unit's and every occurrence's (pattern D7). Keyed on attributes every duty
 * has carried from the start (`taskId`, and `role`: lead or co), so the index fills itself from the
 * stored duties when it is added to an existing table: no rewrite of old items. No other item of
 * this table has both attributes (notices and findings have a `taskId`, but no `role`).
 */
export const INDEX_BY_TASK: IndexDefinition = {
  name: 'byTask',
  partitionKey: 'taskId',
  sortKey: 'role',
};

export const INDEXES: readonly IndexDefinition[] = [
  INDEX_BY_UNIT,
  INDEX_BY_PARENT,
  INDEX_OPEN_BY_DUE,
  INDEX_SWEEP_BY_NEXT_ACTION,
  INDEX_BY_TASK,
];

/** All key attributes are strings. */
export const ATTRIBUTE_TYPE = 'S' as const;

/** Default table name for the local runtime; in AWS the name comes from the stack. */
export const DEFAULT_TABLE_NAME = 'duban';

/**
 * Items with this attribute (epoch seconds) are expired by DynamoDB: rate-limit counters and
 * idempotency records set it. Deletion may lag by days, so readers compare it with their clock too.
 */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * The audit trail lives in a table of its own, so that IAM can make it append-only: every
 * function may PutItem and Query there, none may UpdateItem or DeleteItem (an explicit Deny). A
 * condition on audit keys in the main table could not be enforced against a function that also
 * needs UpdateItem on duties. Writes still share the transaction of the change they record:
 * TransactWriteItems spans tables.
 */
export const AUDIT_TABLE_SUFFIX = '-audit';

/** One entity's history, oldest first (pattern A1 is the table's own key). */
export const AUDIT_INDEX_BY_PLAN: IndexDefinition = {
  name: 'byPlan',
  partitionKey: 'gsi1pk',
  sortKey: 'gsi1sk',
};
export const AUDIT_INDEX_BY_ACTOR: IndexDefinition = {
  name: 'byActor',
  partitionKey: 'gsi2pk',
  sortKey: 'gsi2sk',
};
export const AUDIT_INDEX_ALL: IndexDefinition = { name: 'byTime', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' };
export const AUDIT_INDEXES: readonly IndexDefinition[] = [
  AUDIT_INDEX_BY_PLAN,
  AUDIT_INDEX_BY_ACTOR,
  AUDIT_INDEX_ALL,
];

export interface TableDefinition {
  readonly indexes: readonly IndexDefinition[];
  /** TTL attribute, or null where nothing may ever expire (the audit trail). */
  readonly ttlAttribute: string | null;
}

export const MAIN_TABLE: TableDefinition = { indexes: INDEXES, ttlAttribute: TTL_ATTRIBUTE };
export const AUDIT_TABLE: TableDefinition = { indexes: AUDIT_INDEXES, ttlAttribute: null };
