import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import { apiDocument } from '../../functions/api/openapi.js';
import { SWAGGER_UI_FILES, SWAGGER_UI_PACKAGE } from '../../functions/site/docs.js';
import { DubanStack } from '../../infra/cloud/duban-stack.js';
import { hs256Verifier } from '../../shared/auth/tokens.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { INDEXES, KEY_ATTRIBUTES } from '../../shared/db/table.js';
import { createEvidenceService, createServices } from '../../shared/services/index.js';

interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

// Synthesis bundles the API and runs CloudFormation validation (several seconds), so each stack is
// synthesized once per file and every test reads the same template.
const SYNTH_TIMEOUT_MS = 120_000;

let stack: DubanStack;
let template: Template;

beforeAll(() => {
  stack = new DubanStack(new App(), 'Duban');
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT_MS);

function logicalIdOf(owner: Stack, construct: IConstruct): string {
  const child = construct.node.defaultChild;
  if (!(child instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return owner.getLogicalId(child);
}

function asArray(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** Every statement of the IAM policies attached to a role, given the role's logical id. */
function roleStatements(roleId: string): PolicyStatement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  // The audit table's statements (append and read, Update/Delete denied) are test/infra/audit.test.ts's.
  const auditId = logicalIdOf(stack, stack.auditTable.table);
  const statements = Object.values(policies)
    .flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: PolicyStatement[] } } }).Properties
          .PolicyDocument.Statement,
    )
    .filter((statement) => !JSON.stringify(statement.Resource).includes(auditId));
  expect(statements.length).toBeGreaterThan(0);
  return statements;
}

/** Every statement of the IAM policies attached to a function's execution role. */
function functionStatements(fn: IConstruct): PolicyStatement[] {
  const resource = template.toJSON().Resources[logicalIdOf(stack, fn)] as {
    Properties: { Role: { 'Fn::GetAtt': [string, string] } };
  };
  return roleStatements(resource.Properties.Role['Fn::GetAtt'][0]);
}

function apiFunctionStatements(): PolicyStatement[] {
  return functionStatements(stack.apiFunction);
}

function allowedActions(statements: PolicyStatement[]): string[] {
  return statements
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => asArray(statement.Action));
}

describe('data table', () => {
  it('is keyed by the shared pk/sk string attributes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: KEY_ATTRIBUTES.pk, KeyType: 'HASH' },
        { AttributeName: KEY_ATTRIBUTES.sk, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: KEY_ATTRIBUTES.pk, AttributeType: 'S' },
        { AttributeName: KEY_ATTRIBUTES.sk, AttributeType: 'S' },
      ]),
    });
  });

  it.each(INDEXES.map((index) => [index.name, index] as const))(
    'has the GSI %s from shared/db/table.ts',
    (_, index) => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: Match.arrayWith([
          {
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ]),
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: index.partitionKey, AttributeType: 'S' },
          { AttributeName: index.sortKey, AttributeType: 'S' },
        ]),
      });
    },
  );

  it('has no index that shared/db/table.ts does not declare', () => {
    const tableId = logicalIdOf(stack, stack.table.table);
    const table = template.toJSON().Resources[tableId] as {
      Properties: { GlobalSecondaryIndexes: { IndexName: string }[] };
    };
    expect(table.Properties.GlobalSecondaryIndexes.map((gsi) => gsi.IndexName).sort()).toEqual(
      INDEXES.map((index) => index.name).sort(),
    );
  });

  it('is on-demand, point-in-time recoverable, encrypted, with TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('survives stack deletion and replacement', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });
});

describe('API function', () => {
  it('runs Node.js 22 on ARM64 with the table, the token issuer and source maps wired in', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 10,
      Environment: {
        Variables: {
          TABLE_NAME: { Ref: logicalIdOf(stack, stack.table.table) },
          DUBAN_OIDC_ISSUER: Match.anyValue(),
          DUBAN_OIDC_AUDIENCE: Match.anyValue(),
          DUBAN_ROLE_CLAIM: 'custom:role',
          DUBAN_UNIT_CLAIM: 'custom:unitId',
          DUBAN_RUNTIME: 'aws',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('logs to its own log group with a retention', () => {
    const fnId = logicalIdOf(stack, stack.apiFunction);
    const fn = template.toJSON().Resources[fnId] as {
      Properties: { LoggingConfig: { LogGroup: { Ref: string } } };
    };
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
    const logGroup = template.toJSON().Resources[logGroupId] as {
      Type: string;
      Properties: { RetentionInDays: number };
    };
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  it('may read and write the table and its indexes, the transactional write actions included', () => {
    const actions = allowedActions(apiFunctionStatements());
    // TransactWriteItems is authorised per item through PutItem/UpdateItem/DeleteItem/ConditionCheckItem.
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:BatchWriteItem',
      ]),
    );

    const tableArn = { 'Fn::GetAtt': [logicalIdOf(stack, stack.table.table), 'Arn'] };
    const dynamoStatements = apiFunctionStatements().filter((statement) =>
      asArray(statement.Action).some((action) => action.startsWith('dynamodb:')),
    );
    expect(dynamoStatements.some((s) => JSON.stringify(s.Resource).includes('/index/*'))).toBe(true);
    for (const statement of dynamoStatements) {
      expect(statement.Resource).toEqual(expect.arrayContaining([tableArn]));
    }
  });

  it('has no wildcard DynamoDB action or resource', () => {
    for (const statement of apiFunctionStatements()) {
      const actions = asArray(statement.Action);
      expect(actions).not.toContain('*');
      expect(actions).not.toContain('dynamodb:*');
      if (actions.some((action) => action.startsWith('dynamodb:'))) {
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        expect(resources).not.toContain('*');
      }
    }
  });

  it('shares its table access with the site function, which serves the pages', () => {
    expect(allowedActions(functionStatements(stack.siteFunction)).sort()).toEqual(
      allowedActions(apiFunctionStatements()).sort(),
    );
  });

  it('holds no signing secret: tokens are verified against the OIDC issuer (test/infra/hardening.test.ts)', () => {
    // Its only secrets are the notice channels' (test/infra/delivery.test.ts), none for tokens.
    const secretStatements = apiFunctionStatements().filter((s) =>
      JSON.stringify(s.Action).includes('secretsmanager:'),
    );
    for (const statement of secretStatements)
      expect(JSON.stringify(statement.Resource)).toContain('/channels/*');
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });
});

describe('HTTP API', () => {
  it('sends /v1 and /health to the API function, / and every other path to the site function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    for (const fn of [stack.apiFunction, stack.siteFunction]) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [logicalIdOf(stack, fn), 'Arn'] },
      });
    }
    for (const key of ['ANY /', 'ANY /{proxy+}', 'ANY /health', 'ANY /v1/{proxy+}']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key });
    }
    // Which route goes to which function: test/infra/hardening.test.ts.
  });

  it('throttles and access-logs its default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('outputs its URL', () => {
    const outputs = Object.values(template.findOutputs('*'));
    expect(JSON.stringify(outputs)).toContain('execute-api');
  });
});

describe('sweep function', () => {
  it('runs Node.js 22 on ARM64 for up to 5 minutes with the table and no token secret', () => {
    const fn = template.toJSON().Resources[logicalIdOf(stack, stack.sweepFunction)] as {
      Properties: Record<string, unknown> & { Environment: { Variables: Record<string, unknown> } };
    };
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 300,
    });
    expect(fn.Properties.Environment.Variables).toEqual({
      TABLE_NAME: { Ref: logicalIdOf(stack, stack.table.table) },
      AUDIT_TABLE_NAME: { Ref: logicalIdOf(stack, stack.auditTable.table) },
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(fn.Properties.Environment.Variables).not.toHaveProperty('DUBAN_JWT_SECRET_ARN');
  });

  it('may query, read, put, update and condition-check the table and its indexes, nothing more', () => {
    const statements = functionStatements(stack.sweepFunction);
    const dynamoActions = allowedActions(statements).filter((action) => action.startsWith('dynamodb:'));
    expect(dynamoActions.sort()).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ].sort(),
    );

    const tableArn = { 'Fn::GetAtt': [logicalIdOf(stack, stack.table.table), 'Arn'] };
    for (const statement of statements.filter((s) =>
      asArray(s.Action).some((a) => a.startsWith('dynamodb:')),
    )) {
      expect(statement.Resource).toEqual([tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }]);
    }
  });

  it('may not delete, scan, batch-write, read the secret or use a wildcard action', () => {
    const actions = allowedActions(functionStatements(stack.sweepFunction));
    for (const forbidden of [
      'dynamodb:DeleteItem',
      'dynamodb:Scan',
      'dynamodb:BatchWriteItem',
      'dynamodb:*',
      'secretsmanager:GetSecretValue',
      '*',
    ]) {
      expect(actions).not.toContain(forbidden);
    }
  });

  it('may send only to its own dead-letter queue (failed asynchronous runs)', () => {
    const queueArn = { 'Fn::GetAtt': [logicalIdOf(stack, stack.sweepJob.deadLetterQueue), 'Arn'] };
    const sqsStatements = functionStatements(stack.sweepFunction).filter((statement) =>
      asArray(statement.Action).some((action) => action.startsWith('sqs:')),
    );
    expect(sqsStatements).toHaveLength(1);
    expect(sqsStatements[0]?.Resource).toEqual(queueArn);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(stack, stack.sweepFunction) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });
});

describe('sweep schedule', () => {
  it('runs every 15 minutes on Asia/Shanghai time, on the dot, asking for every plan in words', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0/15 * * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.sweepFunction), 'Arn'] },
        Input: JSON.stringify({ allPlans: true }),
      }),
    });
  });

  it('retries and dead-letters to an encrypted, TLS-only queue kept 14 days', () => {
    const queueId = logicalIdOf(stack, stack.sweepJob.deadLetterQueue);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      }),
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('assumes a role that may invoke only the sweep function and send only to its queue', () => {
    const roleId = logicalIdOf(stack, stack.sweepJob.role);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } }),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: Match.objectLike({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }) },
          }),
        ],
      },
    });

    const functionArn = { 'Fn::GetAtt': [logicalIdOf(stack, stack.sweepFunction), 'Arn'] };
    const queueArn = { 'Fn::GetAtt': [logicalIdOf(stack, stack.sweepJob.deadLetterQueue), 'Arn'] };
    const statements = roleStatements(roleId);
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
    expect(
      statements.map((statement) => ({ Action: statement.Action, Resource: statement.Resource })),
    ).toEqual([
      { Action: 'lambda:InvokeFunction', Resource: [functionArn, { 'Fn::Join': ['', [functionArn, ':*']] }] },
      { Action: 'sqs:SendMessage', Resource: queueArn },
    ]);
  });
});

describe('AWS China (cn-northwest-1)', () => {
  let cnJson: string;

  beforeAll(() => {
    // The main stack above already bundles the code and validates the same resources against the
    // CloudFormation schema; the partition check only needs the template.
    const app = new App({
      builtinCloudFormationValidation: false,
      // The China regions offer no Cognito user pools: a deployment there names its OIDC issuer.
      context: {
        'aws:cdk:bundling-stacks': [],
        oidcIssuer: 'https://sso.example.gov.cn/realms/county',
        oidcAudience: 'duban',
      },
    });
    const cnStack = new DubanStack(app, 'DubanCn', {
      env: { account: '123456789012', region: 'cn-northwest-1' },
    });
    cnJson = JSON.stringify(Template.fromStack(cnStack).toJSON());
  }, SYNTH_TIMEOUT_MS);

  it('synthesizes the same resources', () => {
    expect(cnJson).toContain('AWS::DynamoDB::Table');
    expect(cnJson).toContain('AWS::Lambda::Function');
    expect(cnJson).toContain('AWS::ApiGatewayV2::Api');
    expect(cnJson).toContain('AWS::Scheduler::Schedule');
  });

  it('hard-codes no aws partition ARN', () => {
    expect(cnJson).not.toContain('arn:aws:');
    expect(cnJson).toContain('AWS::Partition');
  });

  it('hard-codes no aws partition ARN in the region-agnostic stack either', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('arn:aws:');
  });
});

describe('report function', () => {
  it('runs Node.js 22 on ARM64 for up to 5 minutes with the table and nothing else', () => {
    const fn = template.toJSON().Resources[logicalIdOf(stack, stack.reportFunction)] as {
      Properties: Record<string, unknown> & { Environment: { Variables: Record<string, unknown> } };
    };
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 300,
    });
    expect(fn.Properties.Environment.Variables).toEqual({
      TABLE_NAME: { Ref: logicalIdOf(stack, stack.table.table) },
      AUDIT_TABLE_NAME: { Ref: logicalIdOf(stack, stack.auditTable.table) },
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('may query and get from the table and its indexes, and put only report items', () => {
    const tableArn = { 'Fn::GetAtt': [logicalIdOf(stack, stack.table.table), 'Arn'] };
    const dynamo = functionStatements(stack.reportFunction).filter((s) =>
      asArray(s.Action).some((a) => a.startsWith('dynamodb:')),
    ) as (PolicyStatement & { Condition?: unknown })[];
    const reads = dynamo.find((s) => asArray(s.Action).includes('dynamodb:Query'));
    expect(asArray(reads?.Action ?? []).sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'].sort(),
    );
    expect(reads?.Resource).toEqual([tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }]);
    const writes = dynamo.find((s) => asArray(s.Action).includes('dynamodb:PutItem'));
    expect(writes).toMatchObject({
      Effect: 'Allow',
      Action: 'dynamodb:PutItem',
      Resource: tableArn,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REPORT#*'] } },
    });
    expect(dynamo).toHaveLength(2);
  });

  it('may not delete, scan, update, batch-write or use a wildcard action', () => {
    const actions = allowedActions(functionStatements(stack.reportFunction));
    for (const forbidden of [
      'dynamodb:DeleteItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:*',
      '*',
    ]) {
      expect(actions).not.toContain(forbidden);
    }
  });
});

describe('report schedules', () => {
  const reportArn = () => ({ 'Fn::GetAtt': [logicalIdOf(stack, stack.reportFunction), 'Arn'] });

  it('makes the weekly report at Friday 17:00 Asia/Shanghai, cut at the scheduled time', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 17 ? * FRI *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: reportArn(),
        Input: JSON.stringify({ period: 'week', scheduledTime: '<aws.scheduler.scheduled-time>' }),
      }),
    });
  });

  it('checks for the monthly report at 17:00 on days 24-31 Asia/Shanghai', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 17 24-31 * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      Target: Match.objectLike({
        Arn: reportArn(),
        Input: JSON.stringify({ period: 'month', scheduledTime: '<aws.scheduler.scheduled-time>' }),
      }),
    });
  });

  it('sends runs of both that fail for good to one dead-letter queue', () => {
    const configs = template.findResources('AWS::Lambda::EventInvokeConfig', {
      Properties: { FunctionName: { Ref: logicalIdOf(stack, stack.reportFunction) } },
    });
    expect(Object.values(configs)).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(stack, stack.reportFunction) },
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalIdOf(stack, stack.weeklyReportJob.deadLetterQueue), 'Arn'] },
        },
      },
    });
  });
});

describe('function bundles', () => {
  function assetDir(fn: IConstruct): string {
    const resource = template.toJSON().Resources[logicalIdOf(stack, fn)] as {
      Properties: { Code: { S3Key: string } };
    };
    const root = stack.node.root;
    if (!(root instanceof App)) throw new Error('the stack is not in an App');
    return join(root.outdir, `asset.${resource.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  }
  const bundleOf = (fn: IConstruct) => readFileSync(join(assetDir(fn), 'index.mjs'), 'utf8');

  it('keeps exceljs out of both HTTP bundles, imported lazily', () => {
    for (const fn of [stack.apiFunction, stack.siteFunction]) {
      const main = bundleOf(fn);
      expect(main).toMatch(/import\(["']exceljs["']\)/);
      // Strings only exceljs's own code has.
      expect(main).not.toContain('xl/workbook.xml');
      expect(main).not.toContain('sharedStrings');
    }
  });

  it('leaves the pages, their sign-in and the OpenAPI generator out of the API function', () => {
    const api = bundleOf(stack.apiFunction);
    const site = bundleOf(stack.siteFunction);
    // The session cookie's name (functions/web/session.ts) and a message of zod-to-openapi's generator.
    for (const marker of ['duban_session', 'No discriminator found for discriminated union']) {
      expect(site, marker).toContain(marker);
      expect(api, marker).not.toContain(marker);
    }
    expect(api).toContain('The OpenAPI generator is left out of this function');
    // The official calendar's dates, without the holidays' names, in both.
    for (const main of [api, site]) {
      expect(main).toContain('2026-10-01');
      expect(main).not.toContain('Mid-autumn Festival');
    }
  });

  it('carries the Swagger UI files /docs serves beside the site bundle (no CDN)', () => {
    const packageDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    for (const file of SWAGGER_UI_FILES) {
      const shipped = join(assetDir(stack.siteFunction), SWAGGER_UI_PACKAGE, file);
      expect(existsSync(shipped), file).toBe(true);
      expect(readFileSync(shipped).equals(readFileSync(join(packageDir, file))), file).toBe(true);
    }
    expect(existsSync(join(assetDir(stack.apiFunction), SWAGGER_UI_PACKAGE))).toBe(false);
  });

  it('answers as deployed: the API /health and its 401, the site /openapi.json identical to the app’s', () => {
    const answers = (fn: IConstruct, paths: readonly string[]) =>
      invokeBundle(assetDir(fn), paths) as { statusCode: number; body: string }[];
    const [health, unauthorized, docFromApi] = answers(stack.apiFunction, [
      '/health',
      '/v1/units',
      '/openapi.json',
    ]);
    expect(health).toMatchObject({ statusCode: 200, body: JSON.stringify({ status: 'ok' }) });
    expect(unauthorized?.statusCode).toBe(401);
    expect(JSON.parse(unauthorized?.body ?? '{}')).toMatchObject({ error: { code: 'unauthorized' } });
    // The API function serves no document: that is the site function's.
    expect(docFromApi?.statusCode).toBe(404);

    const [doc, docs] = answers(stack.siteFunction, ['/openapi.json', '/docs']);
    expect(doc?.statusCode).toBe(200);
    expect(JSON.parse(doc?.body ?? '{}')).toEqual(JSON.parse(JSON.stringify(sourceDocument())));
    expect(docs?.statusCode).toBe(200);
  });

  it('ships exceljs beside both, bundled alone, and it writes a workbook', async () => {
    for (const fn of [stack.apiFunction, stack.siteFunction]) {
      const dir = join(assetDir(fn), 'node_modules', 'exceljs');
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({
        name: 'exceljs',
        main: 'index.js',
      });
      expect(existsSync(join(dir, 'index.js'))).toBe(true);
      const shipped = createRequire(join(dir, 'package.json'))(dir) as typeof import('exceljs');
      const workbook = new shipped.Workbook();
      workbook.addWorksheet('排名汇总').addRow(['排名', '单位']);
      expect((await workbook.xlsx.writeBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });
});

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Loads a function's asset (index.mjs and what ships beside it) in a fresh node process, as Lambda
 * would, and calls its handler with an HTTP API (payload 2.0) GET for each path. Offline: config
 * from placeholders, every AWS endpoint on a closed loopback port. The copy sits under the
 * repository's node_modules so the bundle's external imports (the AWS SDK, which Lambda's runtime
 * provides) resolve to the installed packages.
 */
function invokeBundle(assetDir: string, paths: readonly string[]): unknown[] {
  const cache = join(REPO_ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'duban-asset-'));
  try {
    cpSync(assetDir, dir, { recursive: true });
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
      const context = { functionName: 'duban', functionVersion: '1', memoryLimitInMB: '512',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:duban', awsRequestId: 'r-1' };
      const out = [];
      for (const path of ${JSON.stringify(paths)}) {
        const event = { version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '',
          headers: { host: 'abc.execute-api.us-east-1.amazonaws.com' }, isBase64Encoded: false,
          requestContext: { http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
            domainName: 'abc.execute-api.us-east-1.amazonaws.com', requestId: 'r-1', stage: '$default',
            accountId: '123456789012', apiId: 'abc', routeKey: '$default', time: '', timeEpoch: 0 } };
        const res = await handler(event, context);
        out.push({ statusCode: res.statusCode, body: res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString() : res.body });
      }
      // Exit only once the write is flushed: a pipe takes 64 KiB at a time, and exiting earlier cuts it.
      process.stdout.write(JSON.stringify(out), () => process.exit(0));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        TABLE_NAME: 'duban',
        AUDIT_TABLE_NAME: 'duban-audit',
        AWS_REGION: 'us-east-1',
        DUBAN_OIDC_ISSUER: 'https://127.0.0.1:1/issuer',
        DUBAN_OIDC_AUDIENCE: 'duban',
        DUBAN_OIDC_CLIENT_ID: 'duban',
        DUBAN_OIDC_REDIRECT_URI: 'https://abc.execute-api.us-east-1.amazonaws.com/signin/callback',
        EVIDENCE_BUCKET: 'duban-evidence',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
    });
    if (child.status !== 0) throw new Error(`the bundle failed: ${child.stderr.slice(0, 2000)}`);
    return JSON.parse(child.stdout) as unknown[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The OpenAPI document as the source's own API routes generate it (no table is ever called). */
function sourceDocument() {
  const table = {
    doc: createDocumentClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
    tableName: 'duban',
  };
  const store = {
    createUpload: () => Promise.reject(new Error('unused')),
    createDownload: () => Promise.reject(new Error('unused')),
    describe: () => Promise.resolve(undefined),
    exists: () => Promise.resolve(false),
  };
  const deps = {
    ...createServices(table, { evidenceFiles: store }),
    evidence: createEvidenceService(table, store),
    verifyToken: hs256Verifier('x'.repeat(40)),
    clock: () => new Date(),
  };
  return apiDocument(createApiApp(deps));
}
