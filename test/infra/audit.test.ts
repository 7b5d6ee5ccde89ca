import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DubanStack } from '../../infra/cloud/duban-stack.js';
import { AUDIT_INDEXES, KEY_ATTRIBUTES } from '../../shared/db/table.js';

type Resource = { Type: string; Properties?: Record<string, unknown> };

describe('the audit table', () => {
  let template: Template;
  let auditTableId: string;

  beforeAll(() => {
    // Bundling is not what this file checks: skip it to keep the synth fast.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new DubanStack(app, 'AuditTest', { env: { account: '123456789012', region: 'ap-east-1' } });
    template = Template.fromStack(stack);
    auditTableId = stack.getLogicalId(stack.auditTable.table.node.defaultChild as never);
  }, 60_000);

  it('has the keys and indexes of shared/db/table.ts, no TTL, PITR, and is retained', () => {
    const table = template.toJSON().Resources[auditTableId] as Resource & { DeletionPolicy?: string };
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: KEY_ATTRIBUTES.pk, KeyType: 'HASH' },
        { AttributeName: KEY_ATTRIBUTES.sk, KeyType: 'RANGE' },
      ],
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(table.Properties).not.toHaveProperty('TimeToLiveSpecification');
    const indexes = (table.Properties?.GlobalSecondaryIndexes ?? []) as { IndexName: string }[];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(AUDIT_INDEXES.map((i) => i.name).sort());
  });

  it('lets every function append and read events, and denies every function rewriting them', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { AUDIT_TABLE_NAME: Match.anyValue() } } },
    });
    expect(Object.keys(functions).length).toBeGreaterThanOrEqual(3);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
    const statements = policies.flatMap(
      (p) =>
        (p.Properties?.PolicyDocument as { Statement?: Record<string, unknown>[] } | undefined)?.Statement ??
        [],
    );
    const onAudit = (s: Record<string, unknown>) => JSON.stringify(s.Resource).includes(auditTableId);
    const denies = statements.filter((s) => s.Effect === 'Deny' && onAudit(s));
    expect(denies.length).toBe(Object.keys(functions).length);
    for (const d of denies) {
      expect(d.Action).toEqual(
        expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']),
      );
    }
    const allows = statements.filter((s) => s.Effect === 'Allow' && onAudit(s));
    for (const a of allows) {
      const actions = [a.Action].flat() as string[];
      expect(actions.filter((x) => /Update|Delete|BatchWrite|\*/.test(x))).toEqual([]);
    }
  });
});
