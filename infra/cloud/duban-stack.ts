import { CfnElement, Duration, RemovalPolicy, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ContextAttribute } from 'aws-cdk-lib/aws-scheduler';
import type { Construct, IConstruct } from 'constructs';
import { SWAGGER_UI_FILES, SWAGGER_UI_PACKAGE } from '../../functions/site/docs.js';
import { AUDIT_TABLE } from '../../shared/db/table.js';
import { Alarms } from './constructs/alarms.js';
import { AppFunction } from './constructs/app-function.js';
import { DataTable } from './constructs/data-table.js';
import { Delivery } from './constructs/delivery.js';
import { EvidenceBucket } from './constructs/evidence-bucket.js';
import { HttpApi } from './constructs/http-api.js';
import {
  Identity,
  type IdentityConfig,
  identityConfigFromContext,
  siteBaseUrl,
  siteUrlFromContext,
} from './constructs/identity.js';
import { ScheduledJob } from './constructs/scheduled-job.js';

export interface DubanStackProps extends StackProps {
  /** Who issues the tokens. @default read from CDK context (see identityConfigFromContext) */
  readonly identity?: IdentityConfig;
  /**
   * The site's https origin when a custom domain fronts the API (`https://duban.example.gov.cn`).
   * @default CDK context `siteUrl`, else the HTTP API's own URL
   */
  readonly siteUrl?: string;
  /** Subscribed to the alarm topic. @default CDK context `alarmEmail`, else no subscription */
  readonly alarmEmail?: string;
}

/** The whole deployment: table -> functions -> HTTP API and the sweep schedule. */
export class DubanStack extends Stack {
  readonly table: DataTable;
  readonly auditTable: DataTable;
  readonly evidence: EvidenceBucket;
  /**
   * Wraps the data key of children's identifying fields (控辍保学 cases): the key itself is stored
   * wrapped in the table and unwrapped at cold start (shared/privacy/kms-field-keys.ts).
   */
  readonly fieldKey: kms.Key;
  readonly identity: Identity;
  /** `/v1/*` and `/health`: the JSON API. */
  readonly apiFunction: NodejsFunction;
  /** Every other path: the pages, their sign-in, the OpenAPI document and Swagger UI. */
  readonly siteFunction: NodejsFunction;
  readonly httpApi: HttpApi;
  readonly sweepFunction: NodejsFunction;
  readonly sweepJob: ScheduledJob;
  readonly reportFunction: NodejsFunction;
  readonly weeklyReportJob: ScheduledJob;
  readonly monthlyReportJob: ScheduledJob;
  readonly alarms: Alarms;
  /** Pushing notices to robots and webhooks: stream + minute schedule, DLQ, its own secrets. */
  readonly delivery: Delivery;

  constructor(scope: Construct, id: string, props: DubanStackProps = {}) {
    super(scope, id, props);

    // NEW_IMAGE: the delivery function is woken by each new notice (filtered at the event source).
    this.table = new DataTable(this, 'Data', { stream: dynamodb.StreamViewType.NEW_IMAGE });
    this.auditTable = new DataTable(this, 'Audit', { definition: AUDIT_TABLE });
    this.evidence = new EvidenceBucket(this, 'Evidence');
    this.fieldKey = new kms.Key(this, 'FieldKey', {
      description: "duban: wraps the data key of children's identifying fields (控辍保学 cases)",
      enableKeyRotation: true,
      // Without it no sealed field opens again, not even from a restored backup of the table.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The API first (no routes yet): the sign-in client's callback is on its URL.
    this.httpApi = new HttpApi(this, 'Http');

    // A Cognito user pool by default; an external OIDC issuer with -c oidcIssuer (AWS China).
    // The pages' callback is <site>/signin/callback. Without a custom domain the site is the
    // HTTP API's own URL, a token resolved at deploy: CloudFormation creates the API, then the
    // user pool client that names it, then the authorizer and the function that name the client.
    // With siteUrl the URL is known before deploying, which the office needs to register it at an
    // external issuer in advance (otherwise it reads it from the SignInCallbackUrl output).
    const siteUrl = props.siteUrl === undefined ? undefined : siteBaseUrl(props.siteUrl);
    const publicSiteUrl = siteUrl ?? siteUrlFromContext(this.node) ?? this.httpApi.url;
    this.identity = new Identity(this, 'Identity', {
      config: props.identity ?? identityConfigFromContext(this.node),
      siteUrl: publicSiteUrl,
    });
    this.delivery = new Delivery(this, 'Delivery', {
      table: this.table.table,
      auditTable: this.auditTable.table,
      siteUrl: publicSiteUrl,
    });

    // Both halves of the app get the same environment: the same config is checked at their cold
    // starts, and a page acts through the same services and token verifier as the API.
    const httpEnvironment = {
      DUBAN_RUNTIME: 'aws',
      EVIDENCE_BUCKET: this.evidence.bucket.bucketName,
      // The case routes and pages seal and open children's fields with the data key it wraps.
      DUBAN_FIELD_KMS_KEY_ID: this.fieldKey.keyArn,
      // The app verifies each token again against the same issuer (defense in depth).
      ...this.identity.functionEnvironment,
      // The pages sign people in at that issuer (authorization code + PKCE).
      ...this.identity.signInEnvironment,
      // Where the office's notice channels keep their credentials (Secrets Manager).
      DUBAN_CHANNEL_CREDENTIALS_PREFIX: this.delivery.secretPrefix,
    };
    // What a unit's phone calls: the JSON API alone, so its cold start loads no pages, no sign-in
    // flow, no Swagger UI and no OpenAPI generator (test/bench/bundle.ts measures it).
    const api = new AppFunction(this, 'ApiFunction', {
      entry: 'functions/api/handler.ts',
      description: 'duban HTTP API (/v1, /health)',
      table: this.table.table,
      auditTable: this.auditTable.table,
      tableAccess: 'readWrite',
      // ~1 MB, needed only for ?format=xlsx: imported lazily and shipped beside the bundle.
      lazyModules: ['exceljs'],
      openApiGenerator: false,
      environment: httpEnvironment,
    });
    this.apiFunction = api.function;
    // The office saves and tests channels through the API: their secrets only.
    this.delivery.grantManageSecrets(api.function);
    // The pages (which also export Excel), their sign-in, /openapi.json and /docs.
    const site = new AppFunction(this, 'SiteFunction', {
      entry: 'functions/site/handler.ts',
      description: 'duban pages, sign-in and API docs',
      table: this.table.table,
      auditTable: this.auditTable.table,
      tableAccess: 'readWrite',
      lazyModules: ['exceljs'],
      // /docs serves Swagger UI from these files, not from a CDN.
      packageFiles: { [SWAGGER_UI_PACKAGE]: SWAGGER_UI_FILES },
      environment: httpEnvironment,
    });
    this.siteFunction = site.function;
    this.delivery.grantManageSecrets(site.function);
    const { clientSecretArn } = this.identity;
    if (clientSecretArn !== undefined) {
      // Only for an issuer that insists on a confidential client: the sign-in reads it at cold
      // start, this secret only, and only the site function signs people in.
      site.function.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [clientSecretArn] }),
      );
    }
    // Both presign evidence uploads and check a submitted file arrived: s3:PutObject and
    // s3:GetObject under duties/ only.
    this.evidence.grantUpload(api.function);
    this.evidence.grantUpload(site.function);
    // Both serve cases: at the very first start make the data key (GenerateDataKey), at every
    // start unwrap it (Decrypt); on this key only, and nothing else (no Encrypt, no key admin).
    for (const fn of [api.function, site.function])
      this.fieldKey.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');

    this.httpApi.serve({ api: api.function, site: site.function, authorizer: this.identity.authorizer });

    // The sweep needs only the table (TABLE_NAME): no token secret, no runtime flag.
    const sweep = new AppFunction(this, 'SweepFunction', {
      entry: 'functions/sweep/handler.ts',
      description: 'duban sweep: due reminders and escalations',
      table: this.table.table,
      auditTable: this.auditTable.table,
      tableAccess: 'sweep',
      timeout: Duration.minutes(5),
      memorySize: 512,
    });
    this.sweepFunction = sweep.function;

    this.sweepJob = new ScheduledJob(this, 'Sweep', {
      function: sweep.function,
      cron: { minute: '0/15' },
      description: 'duban sweep every 15 minutes (plans run on Asia/Shanghai time)',
      // Every plan, said in words: the handler refuses an event that does not say what to sweep.
      input: { allPlans: true },
    });

    // Reports have their own function: a 1,000-unit plan takes longer than an API request may.
    const reports = new AppFunction(this, 'ReportFunction', {
      entry: 'functions/reports/handler.ts',
      description: 'duban reports: weekly and monthly accountability reports, frozen at the cut-off',
      table: this.table.table,
      auditTable: this.auditTable.table,
      tableAccess: 'report',
      timeout: Duration.minutes(5),
      memorySize: 1024,
    });
    this.reportFunction = reports.function;

    // The cut-off is the schedule's own time, so a retried or late run still cuts at 17:00.
    this.weeklyReportJob = new ScheduledJob(this, 'WeeklyReport', {
      function: reports.function,
      cron: { minute: '0', hour: '17', weekDay: 'FRI' },
      description: 'duban weekly report, Friday 17:00 Asia/Shanghai',
      input: { period: 'week', scheduledTime: ContextAttribute.scheduledTime },
    });
    // EventBridge cannot say "last working day": fire on days 24-31, the job checks the calendar.
    this.monthlyReportJob = new ScheduledJob(this, 'MonthlyReport', {
      function: reports.function,
      cron: { minute: '0', hour: '17', day: '24-31' },
      description:
        'duban monthly report check, 17:00 on days 24-31 Asia/Shanghai (acts on the last working day)',
      input: { period: 'month', scheduledTime: ContextAttribute.scheduledTime },
      asyncFailuresGoTo: this.weeklyReportJob,
    });

    // Keep these two last: they cover every function and schedule defined above.
    const alarmEmail: unknown = props.alarmEmail ?? this.node.tryGetContext('alarmEmail');
    this.alarms = new Alarms(this, 'Alarms', typeof alarmEmail === 'string' ? { email: alarmEmail } : {});
    this.watchAll();
    this.acknowledgeNagFindings();
  }

  /** Error and throttle alarms for every AppFunction, depth alarms for every schedule's DLQ. */
  private watchAll(): void {
    for (const construct of this.node.findAll()) {
      const name = construct.node.path.split('/').slice(1).join('');
      if (construct instanceof AppFunction) this.alarms.watchFunction(name, construct.function);
      if (construct instanceof ScheduledJob)
        this.alarms.watchDeadLetterQueue(name, construct.deadLetterQueue);
      if (construct instanceof Delivery)
        this.alarms.watchDeadLetterQueue(`${name}Stream`, construct.streamDeadLetterQueue);
    }
  }

  /**
   * The cdk-nag (AwsSolutions) findings that are decisions, each acknowledged with its reason on the
   * narrowest construct. cdk-nag 3 matches finding ids exactly (`Rule[finding]`, with logical ids),
   * so they are derived from the constructs, and resources added above are covered too.
   */
  private acknowledgeNagFindings(): void {
    const logicalId = (construct: IConstruct): string => {
      const child = construct.node.defaultChild;
      if (!(child instanceof CfnElement))
        throw new Error(`${construct.node.path} has no CloudFormation resource`);
      return this.getLogicalId(child);
    };

    for (const construct of this.node.findAll()) {
      if (construct instanceof AppFunction) {
        Validations.of(construct).acknowledge(
          {
            id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
            reason:
              'AWSLambdaBasicExecutionRole grants only logs:CreateLogGroup/CreateLogStream/PutLogEvents, which CDK gives every function; each writes to its own log group with a retention.',
          },
          {
            id: 'AwsSolutions-L1',
            reason:
              'Node.js 22 is the runtime the project targets (esbuild target node22, STYLE.md) and Lambda supports it into 2027; moving to a newer one is a deliberate upgrade, tested on its own.',
          },
        );
        // Only a scheduled job's role is granted this (CDK's EventBridge Scheduler target grant).
        Validations.of(this).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${logicalId(construct.function)}.Arn>:*]`,
          reason:
            'A schedule may invoke its function including the function\'s versions and aliases ("<function arn>:*"), the grant CDK gives an EventBridge Scheduler target; the role can invoke nothing else.',
        });
      }
      if (construct instanceof dynamodb.Table) {
        Validations.of(this).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${logicalId(construct)}.Arn>/index/*]`,
          reason:
            'Queries go through the global secondary indexes of this table; "<table arn>/index/*" names only its own indexes, which shared/db/table.ts declares.',
        });
      }
      if (construct instanceof ScheduledJob) {
        Validations.of(construct.deadLetterQueue).acknowledge({
          id: 'AwsSolutions-SQS3',
          reason:
            "This queue is itself the dead-letter queue of the schedule and of its function's asynchronous invocations (cdk-nag only recognises redrive policies); its depth is alarmed.",
        });
      }
    }

    // The delivery: its secrets prefix, the stream grant and the stream's own dead-letter queue.
    const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    const account = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${this.delivery.secretPrefix}/*]`,
      reason:
        "One secret per notice channel, created when the office saves a channel: the API may write and the delivery function may read (GetSecretValue only) exactly the secrets under this stack's channels/ prefix, nothing else in Secrets Manager.",
    });
    Validations.of(this.delivery.function).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, which the DynamoDB event source mapping grants, takes no resource ARN; every other action of the function names the table, its stream or its secrets.',
    });
    Validations.of(this.delivery.streamDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the on-failure destination of the stream event source (cdk-nag only recognises redrive policies); its depth is alarmed.',
    });

    for (const route of this.httpApi.publicRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Public on purpose: the health check, the OpenAPI document, the API docs and the pages hold no data (a page reads only with its session cookie, which the app verifies). Every /v1 route has the JWT authorizer, and the app verifies the token again.',
      });
    }

    if (this.identity.userPool) {
      Validations.of(this.identity.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus plan (threat protection) is billed per monthly active user; only the office creates accounts, passwords need 12 characters of four kinds, and TOTP MFA is required.',
      });
    }
  }
}
