import { App, CfnElement, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { identityConfigFromContext, siteUrlFromContext } from '../../infra/cloud/constructs/identity.js';
import { DubanStack } from '../../infra/cloud/duban-stack.js';

// Two deployments, each synthesized once for the whole file: the default (a Cognito user pool)
// and the AWS China one (an external OIDC issuer, cn-northwest-1). Code bundling is skipped here:
// test/infra/stack.test.ts bundles the same functions, and these tests read only the template.
const SYNTH_TIMEOUT_MS = 120_000;
const EXTERNAL_ISSUER = 'https://sso.example.gov.cn/realms/county';
const SITE = 'https://duban.example.gov.cn';
const CLIENT_SECRET_ARN =
  'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:duban/oidc-client-AbCdEf';

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

/**
 * A template value as text: `Ref`s and `Fn::GetAtt`s become `<id>` / `<id.Attr>` and `Fn::Join`s
 * are joined, so URLs built from tokens can be compared whole.
 */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string') return `<${node.Ref}>`;
  if (Array.isArray(node['Fn::GetAtt'])) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if (Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

function functionEnvironment(variant: Variant, fn: IConstruct): Record<string, unknown> {
  const resource = variant.resources[logicalIdOf(variant, fn)];
  return (
    (resource?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
    {}
  );
}

const apiEnvironment = (variant: Variant) => functionEnvironment(variant, variant.stack.apiFunction);

/** The route API Gateway picks for `path`: the most specific one. */
const routeOf = (path: string) =>
  path === '/'
    ? 'ANY /'
    : path === '/health'
      ? 'ANY /health'
      : path.startsWith('/v1/')
        ? 'ANY /v1/{proxy+}'
        : 'ANY /{proxy+}';

/** Each route's key and the logical id of the function its integration invokes. */
function routeFunctions(variant: Variant): Record<string, string> {
  const integrations = Object.fromEntries(
    ofType(variant, 'AWS::ApiGatewayV2::Integration').map(([id, integration]) => {
      const uri = integration.Properties?.IntegrationUri as { 'Fn::GetAtt': [string, string] };
      return [id, uri['Fn::GetAtt'][0]];
    }),
  );
  return Object.fromEntries(
    ofType(variant, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
      const target = route.Properties?.Target as { 'Fn::Join': [string, unknown[]] };
      const ref = target['Fn::Join'][1].find((part): part is { Ref: string } => typeof part === 'object');
      return [String(route.Properties?.RouteKey), integrations[ref?.Ref ?? ''] ?? ''];
    }),
  );
}

/** The default stage's URL as render() writes it: `https://<api id>.execute-api.…/`. */
function apiUrl(variant: Variant): string {
  const region = variant.stack.resolve(variant.stack.region) as unknown;
  return `https://<${logicalIdOf(variant, variant.stack.httpApi.api)}>.execute-api.${render(region)}.<AWS::URLSuffix>/`;
}

/** A resource's properties, empty if it has none. */
const propertiesOf = (resource: { Properties?: Record<string, unknown> } | undefined) =>
  resource?.Properties ?? {};

const COGNITO = 'Cognito (default)';
const EXTERNAL = 'external issuer, cn-northwest-1';
const CONFIDENTIAL = 'external issuer, custom domain, confidential client';
const built = new Map<string, Variant>();
let cognito: Variant;
let external: Variant;
let confidential: Variant;

beforeAll(() => {
  cognito = synthesize({});
  external = synthesize({ oidcIssuer: EXTERNAL_ISSUER, oidcAudience: 'duban' }, 'cn-northwest-1');
  confidential = synthesize(
    {
      oidcIssuer: EXTERNAL_ISSUER,
      oidcAudience: 'duban-api',
      oidcClientId: 'duban-web',
      oidcScopes: 'openid profile duban',
      oidcClientSecretArn: CLIENT_SECRET_ARN,
      siteUrl: SITE,
    },
    'cn-northwest-1',
  );
  built.set(COGNITO, cognito).set(EXTERNAL, external).set(CONFIDENTIAL, confidential);
}, SYNTH_TIMEOUT_MS);

describe.each([COGNITO, EXTERNAL, CONFIDENTIAL])('%s', (name) => {
  const v = (): Variant => {
    const variant = built.get(name);
    if (!variant) throw new Error(`${name} was not synthesized`);
    return variant;
  };

  it('guards ANY /v1/{proxy+} with the JWT authorizer and leaves only /health, / and /{proxy+} public', () => {
    const variant = v();
    const [authorizerId] = ofType(variant, 'AWS::ApiGatewayV2::Authorizer').map(([id]) => id);
    expect(authorizerId).toBeDefined();
    const routes = ofType(variant, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties ?? {});
    const byKey = Object.fromEntries(routes.map((route) => [String(route.RouteKey), route]));
    expect(Object.keys(byKey).sort()).toEqual(['ANY /', 'ANY /health', 'ANY /v1/{proxy+}', 'ANY /{proxy+}']);
    expect(byKey['ANY /v1/{proxy+}']).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
    });
    // /health, /openapi.json and /docs (and the pages) reach the apps through these.
    for (const key of ['ANY /health', 'ANY /', 'ANY /{proxy+}']) {
      expect(byKey[key]?.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(byKey[key]?.AuthorizerId).toBeUndefined();
    }
  });

  it('sends /v1 and /health to the API function and every other path to the site function', () => {
    const variant = v();
    const functionOf = routeFunctions(variant);
    const api = logicalIdOf(variant, variant.stack.apiFunction);
    const site = logicalIdOf(variant, variant.stack.siteFunction);
    expect(api).not.toBe(site);
    expect(functionOf).toEqual({
      'ANY /v1/{proxy+}': api,
      'ANY /health': api,
      'ANY /': site,
      'ANY /{proxy+}': site,
    });
    // API Gateway picks the most specific route; the apps behind serve what their routes say.
    for (const [path, fn] of [
      ['/v1/duties/d1/submit', api],
      ['/health', api],
      ['/', site],
      ['/my', site],
      ['/signin/callback', site],
      ['/openapi.json', site],
      ['/docs/assets/swagger-ui.css', site],
    ] as const) {
      expect(functionOf[routeOf(path)], path).toBe(fn);
    }
  });

  it('gives the site function the same environment as the API function', () => {
    const variant = v();
    expect(functionEnvironment(variant, variant.stack.siteFunction)).toEqual(apiEnvironment(variant));
  });

  it('lets the pages and the sign-in callback through without a bearer token, never /v1', () => {
    const keys = ofType(v(), 'AWS::ApiGatewayV2::Route').map(([, route]) =>
      String(route.Properties?.RouteKey),
    );
    for (const page of ['/', '/signin', '/signin/callback', '/signout', '/my', '/plans/p1']) {
      expect(keys).toContain(routeOf(page));
      expect(routeOf(page), page).not.toBe('ANY /v1/{proxy+}');
    }
    expect(routeOf('/v1/duties/d1')).toBe('ANY /v1/{proxy+}');
  });

  it('verifies tokens in the app against the same issuer and audience as the authorizer', () => {
    const variant = v();
    const [authorizer] = ofType(variant, 'AWS::ApiGatewayV2::Authorizer').map(([, a]) => a.Properties ?? {});
    expect(authorizer).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    const jwt = authorizer?.JwtConfiguration as { Issuer: unknown; Audience: unknown[] };
    const env = apiEnvironment(variant);
    expect(env.DUBAN_OIDC_ISSUER).toEqual(jwt.Issuer);
    expect(render(env.DUBAN_OIDC_AUDIENCE)).toBe(jwt.Audience.map(render).join(','));
    // The pages' ID tokens name their client in aud: the API and the authorizer accept it.
    expect(jwt.Audience).toContainEqual(env.DUBAN_OIDC_CLIENT_ID);
    expect(env).not.toHaveProperty('DUBAN_JWT_SECRET_ARN');
  });

  it('gives the pages their sign-in: client, <site>/signin/callback, scopes, sign-out return', () => {
    const variant = v();
    const env = apiEnvironment(variant);
    const site = name === CONFIDENTIAL ? `${SITE}/` : apiUrl(variant);
    expect(render(env.DUBAN_OIDC_REDIRECT_URI)).toBe(`${site}signin/callback`);
    expect(render(env.DUBAN_OIDC_POST_LOGOUT_URI)).toBe(`${site}signin`);
    expect(String(env.DUBAN_OIDC_SCOPES).split(' ')).toContain('openid');
    expect(env.DUBAN_OIDC_CLIENT_ID).toBeDefined();
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
      for (const [key, value] of Object.entries(env ?? {})) {
        // At most where a secret is kept (a Secrets Manager ARN, read at cold start), never one.
        if (key.endsWith('_SECRET_ARN')) expect(value).toMatch(/^arn:aws[\w-]*:secretsmanager:/);
        else expect(key).not.toMatch(/SECRET|PASSWORD|PRIVATE/);
      }
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
      AllowedOAuthScopes: ['openid', 'profile', 'email'],
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

  it('sends the code back to <api url>/signin/callback and sign-out to <api url>/signin', () => {
    const [[, client] = ['', {}]] = ofType(cognito, 'AWS::Cognito::UserPoolClient');
    const props = (client as { Properties: Record<string, unknown[]> }).Properties;
    expect(props.CallbackURLs?.map(render)).toEqual([`${apiUrl(cognito)}signin/callback`]);
    expect(props.LogoutURLs?.map(render)).toEqual([`${apiUrl(cognito)}signin`]);
    // The same URLs the function sends, and the client it names is this one.
    const env = apiEnvironment(cognito);
    expect(env.DUBAN_OIDC_REDIRECT_URI).toEqual(props.CallbackURLs?.[0]);
    expect(env.DUBAN_OIDC_POST_LOGOUT_URI).toEqual(props.LogoutURLs?.[0]);
    expect(env.DUBAN_OIDC_CLIENT_ID).toEqual({
      Ref: logicalIdOf(cognito, cognito.stack.identity.userPoolClient ?? cognito.stack),
    });
    expect(env.DUBAN_OIDC_SCOPES).toBe('openid profile email');
    expect(env).not.toHaveProperty('DUBAN_OIDC_CLIENT_SECRET_ARN');
  });

  it('has a hosted sign-in domain, duban-<account id> by default, whose /logout the function uses', () => {
    const domains = ofType(cognito, 'AWS::Cognito::UserPoolDomain').map(([id, d]) => [
      id,
      d.Properties ?? {},
    ]);
    expect(domains).toHaveLength(1);
    const [[domainId, domain] = ['', {}]] = domains as [string, Record<string, unknown>][];
    expect(render(domain.Domain)).toBe('duban-<AWS::AccountId>');
    expect(domain.UserPoolId).toEqual({
      Ref: logicalIdOf(cognito, cognito.stack.identity.userPool ?? cognito.stack),
    });
    expect(render(apiEnvironment(cognito).DUBAN_OIDC_COGNITO_LOGOUT_ENDPOINT)).toBe(
      `https://<${domainId}>.auth.<AWS::Region>.amazoncognito.com/logout`,
    );
  });

  it('takes the domain prefix and a custom domain from context', () => {
    const named = synthesize({ cognitoDomainPrefix: 'county-duban', siteUrl: SITE });
    named.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'county-duban' });
    named.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: [`${SITE}/signin/callback`],
      LogoutURLs: [`${SITE}/signin`],
    });
    expect(apiEnvironment(named)).toMatchObject({
      DUBAN_OIDC_REDIRECT_URI: `${SITE}/signin/callback`,
      DUBAN_OIDC_POST_LOGOUT_URI: `${SITE}/signin`,
    });
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

  it('signs the pages in as the audience by default, a public client, and outputs what to register', () => {
    const env = apiEnvironment(external);
    expect(env).toMatchObject({ DUBAN_OIDC_CLIENT_ID: 'duban', DUBAN_OIDC_SCOPES: 'openid profile email' });
    expect(env).not.toHaveProperty('DUBAN_OIDC_CLIENT_SECRET_ARN');
    // Cognito's /logout is Cognito's: other issuers publish end_session_endpoint in discovery.
    expect(env).not.toHaveProperty('DUBAN_OIDC_COGNITO_LOGOUT_ENDPOINT');
    const outputs = Object.values(external.template.findOutputs('*')) as { Value: unknown }[];
    const values = outputs.map((output) => render(output.Value));
    expect(values).toContain(`${apiUrl(external)}signin/callback`);
    expect(values).toContain(`${apiUrl(external)}signin`);
  });

  it('with a custom domain, its own client for the pages and a confidential client secret', () => {
    const env = apiEnvironment(confidential);
    expect(env).toMatchObject({
      DUBAN_OIDC_AUDIENCE: 'duban-api,duban-web',
      DUBAN_OIDC_CLIENT_ID: 'duban-web',
      DUBAN_OIDC_SCOPES: 'openid profile duban',
      DUBAN_OIDC_REDIRECT_URI: `${SITE}/signin/callback`,
      DUBAN_OIDC_POST_LOGOUT_URI: `${SITE}/signin`,
      DUBAN_OIDC_CLIENT_SECRET_ARN: CLIENT_SECRET_ARN,
    });
    confidential.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: EXTERNAL_ISSUER, Audience: ['duban-api', 'duban-web'] },
    });
    // The site function (the sign-in) may read that one secret, nothing else in Secrets Manager;
    // no other function may, the API function included.
    const grants = ofType(confidential, 'AWS::IAM::Policy').flatMap(([, policy]) => {
      const { PolicyDocument, Roles } = propertiesOf(policy) as {
        PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] };
        Roles: unknown;
      };
      // Channel credentials (<stack>/channels/*) are the delivery's own: test/infra/delivery.test.ts.
      return PolicyDocument.Statement.filter(
        (statement) =>
          JSON.stringify(statement.Action).includes('secretsmanager:') &&
          !JSON.stringify(statement.Resource).includes('/channels/*'),
      ).map((statement) => ({ roles: Roles, statement }));
    });
    expect(grants).toHaveLength(1);
    expect(grants[0]?.statement).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource: CLIENT_SECRET_ARN,
    });
    const siteFn = confidential.resources[logicalIdOf(confidential, confidential.stack.siteFunction)];
    const role = (propertiesOf(siteFn).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(grants[0]?.roles).toEqual([{ Ref: role }]);
    for (const fn of [confidential.stack.sweepFunction, confidential.stack.reportFunction]) {
      const other = confidential.resources[logicalIdOf(confidential, fn)];
      const vars = (propertiesOf(other).Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(vars).length).toBeGreaterThan(0);
      expect(vars).not.toHaveProperty('DUBAN_OIDC_CLIENT_SECRET_ARN');
    }
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

  it('selects Cognito by default, with a domain prefix from context', () => {
    expect(read({})).toEqual({ kind: 'cognito' });
    expect(read({ cognitoDomainPrefix: 'county-duban' })).toEqual({
      kind: 'cognito',
      domainPrefix: 'county-duban',
    });
    expect(() => read({ cognitoDomainPrefix: 'County_Duban' })).toThrow(/lowercase/);
    expect(() => read({ cognitoDomainPrefix: 'duban-cognito' })).toThrow(/cognito/);
  });

  it('refuses the retired callbackUrls and logoutUrls, which are now <siteUrl>/signin…', () => {
    expect(() => read({ callbackUrls: 'https://duban.example.gov.cn/' })).toThrow(/siteUrl/);
    expect(() => read({ logoutUrls: 'https://duban.example.gov.cn/' })).toThrow(/siteUrl/);
  });

  it('selects the external issuer with oidcIssuer, claim names configurable', () => {
    expect(
      read({ oidcIssuer: EXTERNAL_ISSUER, oidcAudience: ['duban', 'duban-m'], roleClaim: 'duban_role' }),
    ).toEqual({
      kind: 'external',
      issuer: EXTERNAL_ISSUER,
      audience: ['duban', 'duban-m'],
      clientId: 'duban',
      scopes: 'openid profile email',
      roleClaim: 'duban_role',
      unitClaim: 'unitId',
    });
  });

  it("adds the pages' client to the audiences, and reads scopes and the client secret's ARN", () => {
    expect(
      read({
        oidcIssuer: EXTERNAL_ISSUER,
        oidcAudience: 'duban-api',
        oidcClientId: 'duban-web',
        oidcScopes: 'openid,profile duban',
        oidcClientSecretArn: CLIENT_SECRET_ARN,
      }),
    ).toMatchObject({
      audience: ['duban-api', 'duban-web'],
      clientId: 'duban-web',
      scopes: 'openid profile duban',
      clientSecretArn: CLIENT_SECRET_ARN,
    });
  });

  it('fails the synth on a half-configured issuer', () => {
    expect(() => read({ oidcIssuer: EXTERNAL_ISSUER })).toThrow(/oidcAudience/);
    expect(() =>
      read({ oidcIssuer: 'http://sso.example.gov.cn/realms/county', oidcAudience: 'duban' }),
    ).toThrow(/https/);
    expect(() => read({ oidcAudience: 'duban' })).toThrow(/only read with oidcIssuer/);
    expect(() => read({ oidcClientId: 'duban-web' })).toThrow(/only read with oidcIssuer/);
    expect(() => read({ oidcIssuer: EXTERNAL_ISSUER, oidcAudience: 'duban', oidcScopes: 'profile' })).toThrow(
      /openid/,
    );
    expect(() =>
      read({ oidcIssuer: EXTERNAL_ISSUER, oidcAudience: 'duban', oidcClientSecretArn: 's3cr3t' }),
    ).toThrow(/ARN/);
  });

  it('takes siteUrl as an https origin only', () => {
    const site = (context: Record<string, unknown>) => siteUrlFromContext(new App({ context }).node);
    expect(site({})).toBeUndefined();
    expect(site({ siteUrl: SITE })).toBe(`${SITE}/`);
    expect(() => site({ siteUrl: 'http://duban.example.gov.cn' })).toThrow(/https/);
    expect(() => site({ siteUrl: `${SITE}/duban` })).toThrow(/origin/);
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
