/**
 * Issue 15's stack: the delivery function woken by new notices on the table's stream and by a
 * minute schedule, its dead-letter queues alarmed, and least privilege — it reads its own channel
 * secrets (GetSecretValue, nothing else) and writes only delivery partitions of the table.
 */
import { App, CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DubanStack } from '../../infra/cloud/duban-stack.js';
import { deliveryKey, digestId, digestKey } from '../../shared/db/keys.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

let stack: DubanStack;
let template: Template;
let resources: Resources;

const logicalIdOf = (construct: IConstruct) => {
  const child = construct.node.defaultChild;
  if (!(child instanceof CfnElement)) throw new Error(`${construct.node.path} has no resource`);
  return stack.getLogicalId(child);
};
const asArray = (a: string | string[]) => (Array.isArray(a) ? a : [a]);

/** A resource's properties; a test that looks for a resource that is not there fails here. */
function propsOf(resource: { Properties?: Record<string, unknown> } | undefined): Record<string, unknown> {
  if (resource?.Properties === undefined) throw new Error('no such resource, or it has no properties');
  return resource.Properties;
}

function statementsOf(fn: IConstruct): Statement[] {
  const role = (propsOf(resources[logicalIdOf(fn)]).Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((r) => (propsOf(r).PolicyDocument as { Statement: Statement[] }).Statement);
}

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new DubanStack(app, 'Duban', { env: { account: '123456789012', region: 'cn-northwest-1' } });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
}, 120_000);

describe('delivery', () => {
  it('streams new images of the table to the delivery function, new notices only, with a DLQ', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    const dlq = logicalIdOf(stack.delivery.streamDeadLetterQueue);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack.delivery.function) },
      StartingPosition: 'LATEST',
      MaximumRetryAttempts: 3,
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { entity: { S: ['Notice'] } } },
            }),
          },
        ],
      },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
  });

  it('runs every minute on Asia/Shanghai time as the safety net, and alarms on both dead-letter queues', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(* * * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(stack.delivery.function), 'Arn'] } }),
    });
    for (const queue of [stack.delivery.streamDeadLetterQueue, stack.delivery.job.deadLetterQueue]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(queue), 'QueueName'] } }],
        Threshold: 0,
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack.delivery.function) } }],
    });
  });

  it('lets the delivery function read only its own channel secrets, and write only delivery items', () => {
    const statements = statementsOf(stack.delivery.function).filter((s) => s.Effect === 'Allow');
    const secrets = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(secrets).toHaveLength(1);
    expect(asArray(secrets[0]?.Action ?? [])).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(secrets[0]?.Resource)).toContain(':secret:Duban/channels/*');
    const actions = statements.flatMap((s) => asArray(s.Action));
    for (const never of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'secretsmanager:*', 'dynamodb:*'])
      expect(actions).not.toContain(never);
    const writes = statements.filter((s) => asArray(s.Action).includes('dynamodb:UpdateItem'));
    expect(writes).toHaveLength(1);
    expect(writes[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['NOTICE#*', 'CHANNEL#*', 'RATE#channel:*'] },
    });
    const env = (
      propsOf(resources[logicalIdOf(stack.delivery.function)]).Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(env.DUBAN_CHANNEL_CREDENTIALS_PREFIX).toBe('Duban/channels');
  });

  it('lets the API write channel secrets under the same prefix, nothing else of Secrets Manager', () => {
    const secrets = statementsOf(stack.apiFunction).filter((s) =>
      JSON.stringify(s.Action).includes('secretsmanager:'),
    );
    expect(secrets).toHaveLength(1);
    expect(JSON.stringify(secrets[0]?.Resource)).toContain(':secret:Duban/channels/*');
    expect(asArray(secrets[0]?.Action ?? []).sort()).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
    ]);
  });

  it('sends the morning digest from 08:30 Asia/Shanghai every day to the delivery function, the calendar deciding', () => {
    const job = stack.delivery.digestJob;
    const schedule = propsOf(resources[logicalIdOf(job.schedule)]);
    // 08:30, then hourly retries until 11:30; every day, since 调休 Saturdays are working days.
    expect(schedule.ScheduleExpression).toBe('cron(30 8-11 * * ? *)');
    expect(schedule.ScheduleExpressionTimezone).toBe('Asia/Shanghai');
    const target = schedule.Target as { Arn: unknown; Input: string; DeadLetterConfig: { Arn: unknown } };
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack.delivery.function), 'Arn'] });
    expect(JSON.parse(target.Input)).toEqual({ job: 'digest' });
    // The digest writes its record and its deliveries with the function's own write grant (NOTICE#*).
    expect(digestKey('town', '2026-06-10').pk).toMatch(/^NOTICE#/);
    expect(deliveryKey(digestId('town', '2026-06-10'), 'town-hook').pk).toMatch(/^NOTICE#/);
    expect(target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [logicalIdOf(job.deadLetterQueue), 'Arn'] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(job.deadLetterQueue), 'QueueName'] } },
      ],
      Threshold: 0,
    });
  });

  it('passes cdk-nag AwsSolutions on the delivery constructs', () => {
    const report = new AwsSolutionsChecks().validateScope(stack.delivery);
    expect(report.violations.map((v) => `${v.ruleName} ${JSON.stringify(v)}`.slice(0, 400))).toEqual([]);
  });
});
