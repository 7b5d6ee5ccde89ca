import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AppFunction } from './app-function.js';
import { ScheduledJob } from './scheduled-job.js';

export interface DeliveryProps {
  /** The main table, with its stream enabled (NEW_IMAGE). */
  readonly table: dynamodb.ITable;
  readonly auditTable: dynamodb.ITable;
  /** The site's origin, for the links in messages. */
  readonly siteUrl: string;
}

/** What the API function may do with channel secrets: write them, read one back, remove them. */
export const CHANNEL_SECRET_WRITE_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:GetSecretValue',
  'secretsmanager:DeleteSecret',
] as const;

/**
 * Pushing notices to channels, on its own: a function fed by the table's stream (new notices only,
 * filtered at the event source) and, as a safety net for retries, the end of quiet hours and a
 * stream batch that failed for good, a schedule every minute. Stream batches that keep failing go
 * to a dead-letter queue; the stack alarms on its depth and on the function's errors. The function
 * may read only its own secrets (`<stack>/channels/*`), nothing else of Secrets Manager.
 */
export class Delivery extends Construct {
  readonly function: NodejsFunction;
  /** Stream batches that failed after their retries. */
  readonly streamDeadLetterQueue: sqs.Queue;
  readonly job: ScheduledJob;
  /** The morning digest (早间提醒): `{ job: 'digest' }` to the same function. */
  readonly digestJob: ScheduledJob;
  /** Channel secret names start with this. */
  readonly secretPrefix: string;
  /** `arn:<partition>:secretsmanager:<region>:<account>:secret:<prefix>/*` */
  readonly secretArnPattern: string;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.secretPrefix = `${stack.stackName}/channels`;
    this.secretArnPattern = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${this.secretPrefix}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const fn = new AppFunction(this, 'Function', {
      entry: 'functions/delivery/handler.ts',
      description: 'duban delivery: pushes notices to WeCom / DingTalk robots and signed webhooks',
      table: props.table,
      auditTable: props.auditTable,
      tableAccess: 'delivery',
      timeout: Duration.minutes(2),
      memorySize: 512,
      environment: { DUBAN_CHANNEL_CREDENTIALS_PREFIX: this.secretPrefix, DUBAN_SITE_URL: props.siteUrl },
    });
    this.function = fn.function;
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secretArnPattern],
      }),
    );

    this.streamDeadLetterQueue = new sqs.Queue(this, 'StreamDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(5),
        retryAttempts: 3,
        bisectBatchOnError: false,
        onFailure: new SqsDlq(this.streamDeadLetterQueue),
        // Only new notices wake it: every other write to the table is filtered out before Lambda.
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { entity: { S: lambda.FilterRule.isEqual('Notice') } } },
          }),
        ],
      }),
    );

    this.job = new ScheduledJob(this, 'Schedule', {
      function: this.function,
      cron: { minute: '*' },
      description: 'duban delivery every minute: retries, the end of quiet hours, missed stream batches',
      maxEventAge: Duration.minutes(5),
      retryAttempts: 1,
    });

    // 08:30 every day, then hourly until 11:30 for posts that failed: the official calendar (调休
    // Saturdays work, holidays do not) is data the function reads, which MON-FRI cannot express.
    // Each unit's digest is written once a day and each post claimed, so the later runs only retry.
    this.digestJob = new ScheduledJob(this, 'DigestSchedule', {
      function: this.function,
      cron: { minute: '30', hour: '8-11' },
      description:
        'duban morning digest 08:30 Asia/Shanghai on working days (the function reads the calendar)',
      input: { job: 'digest' },
      maxEventAge: Duration.minutes(30),
      retryAttempts: 2,
      asyncFailuresGoTo: this.job,
    });
  }

  /** The API function saves, tests and removes channels: write access to these secrets only. */
  grantManageSecrets(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...CHANNEL_SECRET_WRITE_ACTIONS],
        resources: [this.secretArnPattern],
      }),
    );
  }
}
