import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlarmsProps {
  /** Subscribed to the topic by email (the address confirms once). @default - no subscription */
  readonly email?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The office's alarm topic and the alarms that feed it: each watched function's errors and
 * throttles, each dead-letter queue holding anything at all. Alarms notify on ALARM and on OK, so
 * the office also hears when it is over.
 *
 * The topic is encrypted with a key of this stack rather than the AWS-managed `alias/aws/sns`: the
 * managed key's policy cannot be changed to let CloudWatch use it, and CloudWatch then drops alarm
 * notifications silently.
 */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmsProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'TopicKey', {
      description: 'duban alarm topic encryption',
      enableKeyRotation: true,
      // Alarm notifications are not records; nothing needs the key after the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch encrypts the notifications it publishes, and may do so only for this account's alarms.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: '督办系统告警 duban alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    if (props.email !== undefined) this.topic.addSubscription(new EmailSubscription(props.email));
    new CfnOutput(this, 'TopicArn', {
      value: this.topic.topicArn,
      description: 'Alarm topic: subscribe the office (aws sns subscribe --protocol email)',
    });

    this.action = new SnsAction(this.topic);
  }

  /** Alarms when the function fails (an uncaught error or timeout) or is throttled, in any 5 minutes. */
  watchFunction(name: string, fn: lambda.IFunction): void {
    this.add(`${name}Errors`, {
      metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      alarmDescription: `${name}: 函数运行出错 (Lambda Errors > 0 in 5 minutes)`,
    });
    this.add(`${name}Throttles`, {
      metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      alarmDescription: `${name}: 函数被限流 (Lambda Throttles > 0 in 5 minutes)`,
    });
  }

  /** Alarms while the queue holds any message: each one is a scheduled run that failed for good. */
  watchDeadLetterQueue(name: string, queue: sqs.IQueue): void {
    this.add(`${name}DeadLetters`, {
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      alarmDescription: `${name}: 定时任务最终失败,死信队列中有消息 (dead-letter queue depth > 0)`,
    });
  }

  private add(
    id: string,
    options: { metric: cloudwatch.IMetric; threshold: number; alarmDescription: string },
  ) {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...options,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No invocations, no datapoints: that is health, not an outage.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
