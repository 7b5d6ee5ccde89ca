import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import type { CronOptions } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ScheduledJobProps {
  /** The function the schedule invokes. */
  readonly function: lambda.IFunction;
  /** When to run, as EventBridge Scheduler cron fields (e.g. `{ minute: '0/15' }`). */
  readonly cron: CronOptions;
  /** The zone the cron fields are read in. @default TimeZone.ASIA_SHANGHAI */
  readonly timeZone?: TimeZone;
  readonly description: string;
  /** The event the function receives. @default {} */
  readonly input?: Readonly<Record<string, unknown>>;
  /** Scheduler retries when the invocation cannot be delivered. @default 3 */
  readonly retryAttempts?: number;
  /** How long an undelivered or failing run is still worth retrying. @default Duration.hours(1) */
  readonly maxEventAge?: Duration;
  /**
   * Another job that schedules the same function. Lambda takes one asynchronous-invocation config
   * per function, so runs of both that fail for good go to that job's queue; this job's own queue
   * receives only its undelivered events.
   */
  readonly asyncFailuresGoTo?: ScheduledJob;
}

/**
 * A function on an EventBridge Scheduler schedule: evaluated in the plan timezone, invoked exactly
 * at the scheduled time, retried, and dead-lettered to an encrypted SQS queue when retries run out.
 * The scheduler's role may invoke only this function and send only to this queue.
 */
export class ScheduledJob extends Construct {
  readonly schedule: scheduler.Schedule;
  /** Runs that failed for good (undelivered or erroring after retries); alarm on its depth. */
  readonly deadLetterQueue: sqs.Queue;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);

    const maxEventAge = props.maxEventAge ?? Duration.hours(1);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // The default schedule group, as CDK's own target role scopes it; the schedule's own ARN would
    // make the role and the schedule depend on each other.
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });

    // LambdaInvoke grants the role lambda:InvokeFunction on this function and sqs:SendMessage on
    // this queue, nothing else.
    const target = new LambdaInvoke(props.function, {
      role: this.role,
      input: scheduler.ScheduleTargetInput.fromObject(props.input ?? {}),
      retryAttempts: props.retryAttempts ?? 3,
      maxEventAge,
      deadLetterQueue: this.deadLetterQueue,
    });

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.cron({
        ...props.cron,
        timeZone: props.timeZone ?? TimeZone.ASIA_SHANGHAI,
      }),
      target,
      description: props.description,
      timeWindow: scheduler.TimeWindow.off(),
    });

    // The scheduler invokes Lambda asynchronously, so its retry policy and DLQ only cover delivery;
    // a run that throws is retried by Lambda and, when that fails too, lands in the same queue.
    if (props.asyncFailuresGoTo === undefined) {
      props.function.configureAsyncInvoke({
        retryAttempts: 2, // Lambda's maximum
        maxEventAge,
        onFailure: new SqsDestination(this.deadLetterQueue),
      });
    }
  }
}
