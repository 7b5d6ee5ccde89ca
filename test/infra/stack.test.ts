import { App, CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DubanStack } from '../../infra/cloud/duban-stack.js';
import { INDEXES, KEY_ATTRIBUTES } from '../../shared/db/table.js';

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

/** Every statement of the IAM policies attached to the API function's execution role. */
function apiFunctionStatements(): PolicyStatement[] {
  const fn = template.toJSON().Resources[logicalIdOf(stack, stack.apiFunction)] as {
    Properties: { Role: { 'Fn::GetAtt': [string, string] } };
  };
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  const statements = Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: PolicyStatement[] } } }).Properties
        .PolicyDocument.Statement,
  );
  expect(statements.length).toBeGreaterThan(0);
  return statements;
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
  it('runs Node.js 22 on ARM64 with the table, secret and source maps wired in', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 10,
      Environment: {
        Variables: {
          TABLE_NAME: { Ref: logicalIdOf(stack, stack.table.table) },
          DUBAN_JWT_SECRET_ARN: { Ref: logicalIdOf(stack, stack.jwtSecret) },
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
    const actions = apiFunctionStatements()
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => asArray(statement.Action));
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

  it('may read the JWT secret, whose value is generated at deploy time and never in the template', () => {
    const secretId = logicalIdOf(stack, stack.jwtSecret);
    const secretStatements = apiFunctionStatements().filter((statement) =>
      asArray(statement.Action).includes('secretsmanager:GetSecretValue'),
    );
    expect(secretStatements).toHaveLength(1);
    expect(secretStatements[0]?.Resource).toEqual({ Ref: secretId });

    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 48 },
      SecretString: Match.absent(),
    });
  });
});

describe('HTTP API', () => {
  it('sends / and every other path, any method, to the API function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [logicalIdOf(stack, stack.apiFunction), 'Arn'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /{proxy+}' });
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

describe('AWS China (cn-northwest-1)', () => {
  let cnJson: string;

  beforeAll(() => {
    // The main stack above already bundles the code and validates the same resources against the
    // CloudFormation schema; the partition check only needs the template.
    const app = new App({
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
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
  });

  it('hard-codes no aws partition ARN', () => {
    expect(cnJson).not.toContain('arn:aws:');
    expect(cnJson).toContain('AWS::Partition');
  });

  it('hard-codes no aws partition ARN in the region-agnostic stack either', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('arn:aws:');
  });
});
