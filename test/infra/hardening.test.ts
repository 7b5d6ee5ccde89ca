import { App, CfnElement, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  identityConfigFromContext,
  PLACEHOLDER_CALLBACK_URL,
} from '../../infra/cloud/constructs/identity.js';
import { DubanStack } from '../../infra/cloud/duban-stack.js';

// Two deployments, each synthesized once for the whole file: the default (a Cognito user pool)
// and the AWS China one (an external OIDC issuer, cn-northwest-1). Code bundling is skipped here:
// test/infra/stack.test.ts bundles the same functions, and these tests read only the template.
const SYNTH_TIMEOUT_MS = 120_000;
const EXTERNAL_ISSUER = 'https://sso.example.gov.cn/realms/county';

interface Variant {
  stack: DubanStack;
  template: Template;
  json: string;
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

function synthesize(context: Record<string, unknown>, region?: string): Variant {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new DubanStack(app, 'Duban', region ? { env: { account: '123456789012', region } } : {});
  const template = Template.fromStack(stack);
  const json = JSON.stringify(template.toJSON());
  return { stack, template, json, resources: template.toJSON().Resources };
}

function logicalIdOf(variant: Variant, construct: IConstruct): string {
  const child = construct.node.defaultChild;
  if (!(child instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return variant.stack.getLogicalId(child);
}

function ofType(variant: Variant, type: string) {
  return Object.entries(variant.resources).filter(([, resource]) => resource.Type === type);
}

const COGNITO = 'Cognito (default)';
const EXTERNAL = 'external issuer, cn-northwest-1';
const built = new Map<string, Variant>();
let cognito: Variant;
let external: Variant;

beforeAll(() => {
  cognito = synthesize({});
  external = synthesize({ oidcIssuer: EXTERNAL_ISSUER, oidcAudience: 'duban' }, 'cn-northwest-1');
  built.set(COGNITO, cognito).set(EXTERNAL, external);
}, SYNTH_TIMEOUT_MS);

describe.each([COGNITO, EXTERNAL])('%s', (name) => {
  const v = (): Variant => {
    const variant = built.get(name);
    if (!variant) throw new Error(`${name} was not synthesized`);
    return variant;
  };

  it('guards ANY /v1/{proxy+} with the JWT authorizer and leaves only / and /{proxy+} public', () => {
    const variant = v();
    const [authorizerId] = ofType(variant, 'AWS::ApiGatewayV2::Authorizer').map(([id]) => id);
    expect(authorizerId).toBeDefined();
    const routes = ofType(variant, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties ?? {});
    const byKey = Object.fromEntries(routes.map((route) => [String(route.RouteKey), route]));
    expect(Object.keys(byKey).sort()).toEqual(['ANY /', 'ANY /v1/{proxy+}', 'ANY /{proxy+}']);
    expect(byKey['ANY /v1/{proxy+}']).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
    });
    // /health, /openapi.json and /docs (and the pages) reach the app through these two.
    for (const key of ['ANY /', 'ANY /{proxy+}']) {
      expect(byKey[key]?.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(byKey[key]?.AuthorizerId).toBeUndefined();
    }
  });

  it('verifies tokens in the app against the same issuer and audience as the authorizer', () => {
    const variant = v();
    const [authorizer] = ofType(variant, 'AWS::ApiGatewayV2::Authorizer').map(([, a]) => a.Properties ?? {});
    expect(authorizer).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    const jwt = authorizer?.JwtConfiguration as { Issuer: unknown; Audience: unknown[] };
    const api = variant.resources[logicalIdOf(variant, variant.stack.apiFunction)];
    const env =
      (api?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    expect(env.DUBAN_OIDC_ISSUER).toEqual(jwt.Issuer);
    expect(jwt.Audience).toHaveLength(1);
    expect(env.DUBAN_OIDC_AUDIENCE).toEqual(jwt.Audience[0]);
    expect(env).not.toHaveProperty('DUBAN_JWT_SECRET_ARN');
  });

  it('passes cdk-nag AwsSolutions, every acknowledged finding with a written reason', () => {
    const variant = v();
    const report = new AwsSolutionsChecks().validateScope(variant.stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(report.success).toBe(true);

    const reasons = variant.stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, unknown>));
    expect(reasons.length).toBeGreaterThan(0);
    for (const [id, reason] of reasons) {
      expect(id).toMatch(/AwsSolutions-/);
      expect(typeof reason === 'string' && reason.length >= 60, `${id} needs a reason`).toBe(true);
    }
  });

  it('has no error annotation', () => {
    expect(Annotations.fromStack(v().stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('holds no secret and hard-codes no aws partition ARN', () => {
    const variant = v();
    expect(ofType(variant, 'AWS::SecretsManager::Secret')).toEqual([]);
    expect(variant.json).not.toContain('arn:aws:');
    expect(variant.json).not.toMatch(/SecretString|PRIVATE KEY/);
    for (const [, fn] of ofType(variant, 'AWS::Lambda::Function')) {
      const env = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      for (const key of Object.keys(env ?? {})) expect(key).not.toMatch(/SECRET|PASSWORD|PRIVATE/);
    }
  });

  it('sends errors and throttles of every function to the alarm topic', () => {
    const variant = v();
    const topicRef = { Ref: logicalIdOf(variant, variant.stack.alarms.topic) };
    const alarms = ofType(variant, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});
    const functions = ofType(variant, 'AWS::Lambda::Function').map(([id]) => id);
    expect(functions.length).toBeGreaterThanOrEqual(2);
    for (const fnId of functions) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarms, `${fnId} ${metric}`).toContainEqual(
          expect.objectContaining({
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
            ComparisonOperator: 'GreaterThanThreshold',
            Threshold: 0,
            TreatMissingData: 'notBreaching',
            AlarmActions: [topicRef],
            OKActions: [topicRef],
          }),
        );
      }
    }
  });

  it('alarms on every dead-letter queue holding a message', () => {
    const variant = v();
    const topicRef = { Ref: logicalIdOf(variant, variant.stack.alarms.topic) };
    const alarms = ofType(variant, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});
    const queues = ofType(variant, 'AWS::SQS::Queue').map(([id]) => id);
    expect(queues.length).toBeGreaterThanOrEqual(1);
    for (const queueId of queues) {
      expect(alarms, queueId).toContainEqual(
        expect.objectContaining({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
          Statistic: 'Maximum',
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
          AlarmActions: [topicRef],
        }),
      );
    }
  });

  it('encrypts the alarm topic with a rotated key CloudWatch may use, and refuses plain HTTP', () => {
    const variant = v();
    const { template } = variant;
    const keyId = logicalIdOf(variant, variant.stack.alarms.key);
    const topicId = logicalIdOf(variant, variant.stack.alarms.topic);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': Match.anyValue() } }),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
  });
});

describe('Cognito variant', () => {
  it('trusts the pool as issuer and its web client as audience', () => {
    const poolId = logicalIdOf(cognito, cognito.stack.identity.userPool ?? cognito.stack);
    const clientId = logicalIdOf(cognito, cognito.stack.identity.userPoolClient ?? cognito.stack);
    cognito.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: {
        Issuer: {
          'Fn::Join': [
            '',
            [
              'https://cognito-idp.',
              { Ref: 'AWS::Region' },
              '.',
              { Ref: 'AWS::URLSuffix' },
              '/',
              { Ref: poolId },
            ],
          ],
        },
        Audience: [{ Ref: clientId }],
      },
    });
    const api = cognito.resources[logicalIdOf(cognito, cognito.stack.apiFunction)];
    expect(api?.Properties?.Environment).toMatchObject({
      Variables: { DUBAN_ROLE_CLAIM: 'custom:role', DUBAN_UNIT_CLAIM: 'custom:unitId' },
    });
  });

  it('is a user pool only the office fills: no self sign-up, MFA, strong passwords, kept on delete', () => {
    cognito.template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        DeletionProtection: 'ACTIVE',
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'role', AttributeDataType: 'String', Mutable: true }),
          Match.objectLike({ Name: 'unitId', AttributeDataType: 'String', Mutable: true }),
        ]),
      }),
    });
  });

  it('has a public web client on the code flow that reads role and unit but cannot write them', () => {
    const [[, client] = ['', {}]] = ofType(cognito, 'AWS::Cognito::UserPoolClient');
    const props = (client as { Properties: Record<string, unknown> }).Properties;
    expect(props).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: [PLACEHOLDER_CALLBACK_URL],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 720,
    });
    expect(props.ReadAttributes).toEqual(expect.arrayContaining(['custom:role', 'custom:unitId']));
    expect(props.WriteAttributes).toEqual(expect.any(Array));
    expect(props.WriteAttributes).not.toContain('custom:role');
    expect(props.WriteAttributes).not.toContain('custom:unitId');
  });

  it('creates no hosted sign-in domain unless a prefix is given', () => {
    expect(ofType(cognito, 'AWS::Cognito::UserPoolDomain')).toEqual([]);
  });
});

describe('external issuer variant (AWS China)', () => {
  it('creates no Cognito resource and trusts the named issuer and audience', () => {
    expect(external.json).not.toContain('AWS::Cognito::');
    external.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: EXTERNAL_ISSUER, Audience: ['duban'] },
    });
    const api = external.resources[logicalIdOf(external, external.stack.apiFunction)];
    expect(api?.Properties?.Environment).toMatchObject({
      Variables: {
        DUBAN_OIDC_ISSUER: EXTERNAL_ISSUER,
        DUBAN_OIDC_AUDIENCE: 'duban',
        DUBAN_ROLE_CLAIM: 'role',
        DUBAN_UNIT_CLAIM: 'unitId',
      },
    });
  });

  it('synthesizes for cn-northwest-1 on the aws-cn partition without warnings about Cognito', () => {
    expect(external.json).toContain('AWS::Partition');
    expect(Annotations.fromStack(external.stack).findWarning('*', Match.stringLikeRegexp('Cognito'))).toEqual(
      [],
    );
  });
});

describe('identity context', () => {
  const read = (context: Record<string, unknown>) => identityConfigFromContext(new App({ context }).node);

  it('selects Cognito by default, with callback URLs and a domain prefix from context', () => {
    expect(read({})).toEqual({ kind: 'cognito', callbackUrls: [PLACEHOLDER_CALLBACK_URL], logoutUrls: [] });
    expect(
      read({
        callbackUrls: 'https://duban.example.gov.cn/auth, https://duban.example.gov.cn/m',
        cognitoDomainPrefix: 'county-duban',
      }),
    ).toEqual({
      kind: 'cognito',
      callbackUrls: ['https://duban.example.gov.cn/auth', 'https://duban.example.gov.cn/m'],
      logoutUrls: [],
      domainPrefix: 'county-duban',
    });
  });

  it('selects the external issuer with oidcIssuer, claim names configurable', () => {
    expect(
      read({ oidcIssuer: EXTERNAL_ISSUER, oidcAudience: ['duban', 'duban-m'], roleClaim: 'duban_role' }),
    ).toEqual({
      kind: 'external',
      issuer: EXTERNAL_ISSUER,
      audience: ['duban', 'duban-m'],
      roleClaim: 'duban_role',
      unitClaim: 'unitId',
    });
  });

  it('fails the synth on a half-configured issuer', () => {
    expect(() => read({ oidcIssuer: EXTERNAL_ISSUER })).toThrow(/oidcAudience/);
    expect(() =>
      read({ oidcIssuer: 'http://sso.example.gov.cn/realms/county', oidcAudience: 'duban' }),
    ).toThrow(/https/);
    expect(() => read({ oidcAudience: 'duban' })).toThrow(/only read with oidcIssuer/);
  });

  it('warns when a Cognito user pool is put in an AWS China region', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new DubanStack(app, 'DubanCnCognito', {
      env: { account: '123456789012', region: 'cn-north-1' },
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('oidcIssuer'))).not.toEqual(
      [],
    );
  });
});
