import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { KEY_ATTRIBUTES, MAIN_TABLE, type TableDefinition } from '../../../shared/db/table.js';

export interface DataTableProps {
  /** Which table: its indexes and TTL. @default MAIN_TABLE */
  readonly definition?: TableDefinition;
  /** Days of continuous backups kept for point-in-time recovery (1–35). */
  readonly pitrRecoveryPeriodDays?: number;
  /** The table's change stream (the delivery function reads new notices from it). @default none */
  readonly stream?: dynamodb.StreamViewType;
}

/**
 * The single application table. Keys and indexes come only from shared/db/table.ts, the same
 * constants the local runtime uses, so the deployed and the local table cannot drift.
 */
export class DataTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataTableProps = {}) {
    super(scope, id);

    const definition = props.definition ?? MAIN_TABLE;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: KEY_ATTRIBUTES.pk, type: dynamodb.AttributeType.STRING },
      sortKey: { name: KEY_ATTRIBUTES.sk, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: props.pitrRecoveryPeriodDays ?? 35,
      },
      deletionProtection: true,
      // The table is the system of record: a stack delete or a replacement must never drop it.
      removalPolicy: RemovalPolicy.RETAIN,
      // The audit trail has none: nothing in it may ever expire.
      ...(definition.ttlAttribute === null ? {} : { timeToLiveAttribute: definition.ttlAttribute }),
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      ...(props.stream === undefined ? {} : { stream: props.stream }),
    });

    for (const index of definition.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
