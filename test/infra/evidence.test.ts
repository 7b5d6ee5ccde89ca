import { App, CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DubanStack } from '../../infra/cloud/duban-stack.js';

// Synthesized once for the file; code bundling is skipped (only the template is read here).
const SYNTH_TIMEOUT_MS = 120_000;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, unknown>;
}
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

let stack: DubanStack;
let template: Template;
let resources: Resources;
let bucketId: string;
let logsId: string;

function logicalIdOf(construct: IConstruct): string {
  const child = construct.node.defaultChild;
  if (!(child instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.getLogicalId(child);
}

const asArray = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const propsOf = (id: string): Record<string, unknown> => resources[id]?.Properties ?? {};
const statementsOf = (policy: { Properties?: Record<string, unknown> }): Statement[] =>
  (policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [];

/** Every Allow statement of the policies attached to a function's role. */
function functionStatements(fn: IConstruct): Statement[] {
  const role = propsOf(logicalIdOf(fn)).Role as { 'Fn::GetAtt': [string, string] };
  const roleId = role['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(statementsOf)
    .filter((s) => s.Effect === 'Allow');
}

function bucketPolicyStatements(bucketLogicalId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::S3::BucketPolicy')
    .filter((r) => JSON.stringify(r.Properties?.Bucket) === JSON.stringify({ Ref: bucketLogicalId }))
    .flatMap(statementsOf);
}

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new DubanStack(app, 'Duban');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
  bucketId = logicalIdOf(stack.evidence.bucket);
  logsId = logicalIdOf(stack.evidence.accessLogs);
}, SYNTH_TIMEOUT_MS);

describe('evidence bucket', () => {
  it('is private, S3-encrypted, versioned, kept on delete, and logs its requests elsewhere', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'evidence/' },
      }),
    });
    expect(propsOf(bucketId).LoggingConfiguration).toBeDefined();
  });

  it('aborts incomplete multipart uploads after a day and expires nothing it holds', () => {
    const rules = (propsOf(bucketId).LifecycleConfiguration as { Rules?: unknown[] } | undefined)?.Rules;
    expect(rules).toEqual([
      { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
    ]);
  });

  it('lets browsers PUT from any origin, and nothing else cross-origin', () => {
    expect(propsOf(bucketId).CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedMethods: ['PUT'],
          AllowedOrigins: ['*'],
          AllowedHeaders: ['content-type', 'if-none-match'],
          ExposedHeaders: ['ETag'],
          MaxAge: 3000,
        },
      ],
    });
  });

  it('refuses plain HTTP and TLS below 1.2 in its bucket policy, and grants no one else anything', () => {
    const statements = bucketPolicyStatements(bucketId);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      }),
    );
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  it('has a private, encrypted, retained access-log bucket that only S3 logging may write to', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: Match.objectLike({
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        }),
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              ExpirationInDays: 365,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            }),
          ],
        },
      }),
    });
    expect(propsOf(logsId).LoggingConfiguration).toBeUndefined();
    const allows = bucketPolicyStatements(logsId).filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Action: 's3:PutObject',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } } },
    });
  });
});

describe('API function and the evidence bucket', () => {
  it('gets the bucket name as EVIDENCE_BUCKET', () => {
    const env = propsOf(logicalIdOf(stack.apiFunction)).Environment as { Variables: Record<string, unknown> };
    expect(env.Variables.EVIDENCE_BUCKET).toEqual({ Ref: bucketId });
  });

  it('may only s3:PutObject and s3:GetObject (HeadObject) under duties/ in the evidence bucket', () => {
    const s3 = functionStatements(stack.apiFunction).filter((s) =>
      asArray(s.Action).some((a) => a.startsWith('s3:')),
    );
    expect(s3).toHaveLength(1);
    expect(s3[0]?.Action).toEqual(['s3:PutObject', 's3:GetObject']);
    expect(s3[0]?.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/duties/*']] });
  });

  it('leaves the sweep and the report job without any S3 access', () => {
    for (const fn of [stack.sweepFunction, stack.reportFunction]) {
      const actions = functionStatements(fn).flatMap((s) => asArray(s.Action));
      expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([]);
    }
  });

  it('raises no cdk-nag finding on the buckets or the upload grant', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const ours = report.violations.filter(
      (v) =>
        v.ruleName.startsWith('AwsSolutions-S') ||
        v.ruleName.includes(bucketId) ||
        v.violatingResources.some((r) => (r.constructPath ?? '').includes('/Evidence/')),
    );
    expect(ours.map((v) => v.ruleName)).toEqual([]);
  });
});
