import { App, CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DubanStack } from '../../infra/cloud/duban-stack.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

// Synthesis bundles the functions (several seconds): once per file.
const SYNTH_TIMEOUT_MS = 120_000;

let stack: DubanStack;
let template: Template;
let resources: Record<
  string,
  { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>
>;

beforeAll(() => {
  stack = new DubanStack(new App(), 'Duban');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
}, SYNTH_TIMEOUT_MS);

function logicalIdOf(owner: Stack, construct: IConstruct): string {
  const child = construct.node.defaultChild;
  if (!(child instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return owner.getLogicalId(child);
}

const asArray = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const keyArn = () => ({ 'Fn::GetAtt': [logicalIdOf(stack, stack.fieldKey), 'Arn'] });

function environmentOf(fn: IConstruct): Record<string, unknown> {
  const props = resources[logicalIdOf(stack, fn)]?.Properties as {
    Environment: { Variables: Record<string, unknown> };
  };
  return props.Environment.Variables;
}

/** The logical id of the function's execution role. */
function roleOf(fn: IConstruct): string {
  const props = resources[logicalIdOf(stack, fn)]?.Properties as
    | { Role: { 'Fn::GetAtt': [string, string] } }
    | undefined;
  if (props === undefined) throw new Error(`${fn.node.path} is not in the template`);
  return props.Role['Fn::GetAtt'][0];
}

/** Every statement of every IAM policy attached to the function's execution role. */
function statementsOf(fn: IConstruct): Statement[] {
  const role = roleOf(fn);
  return Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: role }]) } }),
  ).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

const kmsStatements = (fn: IConstruct) =>
  statementsOf(fn).filter((s) => asArray(s.Action).some((action) => action.startsWith('kms:')));

describe("the field key (children's identifying fields)", () => {
  it('is a KMS key of its own, rotated yearly, kept when the stack is deleted or replaced', () => {
    const id = logicalIdOf(stack, stack.fieldKey);
    expect(resources[id]).toMatchObject({
      Type: 'AWS::KMS::Key',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { EnableKeyRotation: true, Description: expect.any(String) },
    });
    expect(String(resources[id]?.Properties?.Description)).toContain('控辍保学');
    // Not the alarm topic's key: that one is destroyed with the stack.
    expect(id).not.toBe(logicalIdOf(stack, stack.alarms.key));
  });

  it('is named to the API and site functions by DUBAN_FIELD_KMS_KEY_ID, and to no other function', () => {
    expect(environmentOf(stack.apiFunction).DUBAN_FIELD_KMS_KEY_ID).toEqual(keyArn());
    expect(environmentOf(stack.siteFunction).DUBAN_FIELD_KMS_KEY_ID).toEqual(keyArn());
    expect(environmentOf(stack.sweepFunction)).not.toHaveProperty('DUBAN_FIELD_KMS_KEY_ID');
    expect(environmentOf(stack.reportFunction)).not.toHaveProperty('DUBAN_FIELD_KMS_KEY_ID');
  });

  it.each([
    ['API', () => stack.apiFunction],
    ['site', () => stack.siteFunction],
  ])(
    'lets the %s function GenerateDataKey and Decrypt with it, on that key only and nothing more',
    (_, fn) => {
      const statements = kmsStatements(fn());
      expect(statements).toHaveLength(1);
      const [grant] = statements;
      expect(grant?.Effect).toBe('Allow');
      expect(asArray(grant?.Action ?? []).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(grant?.Resource).toEqual(keyArn());
    },
  );

  it('is no business of the sweep and report functions', () => {
    expect(kmsStatements(stack.sweepFunction)).toEqual([]);
    expect(kmsStatements(stack.reportFunction)).toEqual([]);
  });

  it("leaves the key's own policy to the account: no function role is named in it", () => {
    const policy = JSON.stringify(resources[logicalIdOf(stack, stack.fieldKey)]?.Properties?.KeyPolicy);
    for (const fn of [stack.apiFunction, stack.siteFunction]) {
      const role = roleOf(fn);
      expect(policy).not.toContain(role);
    }
    expect(policy).not.toMatch(/"kms:(Decrypt|GenerateDataKey)"/);
  });
});
