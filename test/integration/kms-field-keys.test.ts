import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFieldCipher, loadParts } from '../../functions/api/lambda-deps.js';
import { parseLambdaConfig } from '../../shared/config.js';
import type { TableRef } from '../../shared/db/client.js';
import { fieldKeyRepository } from '../../shared/db/field-key-repository.js';
import { FIELD_KEY_KEY } from '../../shared/db/keys.js';
import { createFieldCipher, type FieldKeys } from '../../shared/privacy/field-cipher.js';
import {
  FIELD_KEY_ENCRYPTION_CONTEXT,
  kmsFieldKeyId,
  loadKmsFieldKeys,
} from '../../shared/privacy/kms-field-keys.js';
import { testApp, unitUser } from '../fixtures/app.js';
import { freshTable } from '../fixtures/dynamo.js';
import { type FakeKms, startFakeKms } from '../fixtures/kms.js';

const running: FakeKms[] = [];
afterAll(async () => {
  await Promise.all(running.map((kms) => kms.close()));
});

async function kmsServer(options: { holdGenerateUntil?: number } = {}) {
  const kms = await startFakeKms(options);
  running.push(kms);
  return kms;
}

/** One cold start: a new KMS client, as a new Lambda container has. */
const start = (kms: FakeKms, table: TableRef, kmsKeyId = kms.keyArn) =>
  loadKmsFieldKeys({ kms: kms.client(), kmsKeyId, store: fieldKeyRepository(table) });

const FIELD = 'case:c-001:childName';

/** What the stack gives the API function (test/infra/field-key.test.ts adds the KMS key). */
const LAMBDA_ENV = {
  TABLE_NAME: 'duban',
  AUDIT_TABLE_NAME: 'duban-audit',
  AWS_REGION: 'cn-northwest-1',
  EVIDENCE_BUCKET: 'duban-evidence-bucket',
  DUBAN_OIDC_ISSUER: 'https://cognito-idp.cn-northwest-1.amazonaws.com.cn/cn-northwest-1_Duban0001',
  DUBAN_OIDC_AUDIENCE: 'client',
  DUBAN_OIDC_CLIENT_ID: 'client',
  DUBAN_OIDC_REDIRECT_URI: 'https://duban.example.gov.cn/signin/callback',
};

describe('the KMS-wrapped field key across cold starts', () => {
  let kms: FakeKms;
  let table: TableRef;
  let firstStart: FieldKeys;

  beforeAll(async () => {
    kms = await kmsServer();
    table = await freshTable();
  });

  it('first start: generates a data key with KMS and stores only the wrapped blob', async () => {
    const keys = await start(kms, table);
    firstStart = keys;

    expect(kms.calls.map((c) => c.operation)).toEqual(['GenerateDataKey']);
    expect(kms.calls[0]?.body).toMatchObject({
      KeyId: kms.keyArn,
      KeySpec: 'AES_256',
      EncryptionContext: FIELD_KEY_ENCRYPTION_CONTEXT,
    });
    const { Item } = await table.doc.send(
      new GetCommand({ TableName: table.tableName, Key: FIELD_KEY_KEY, ConsistentRead: true }),
    );
    expect(Item).toMatchObject({ entity: 'FieldKey', kmsKeyId: kms.keyArn });
    const wrapped = Buffer.from(Item?.wrapped as Uint8Array);
    expect(wrapped.length).toBeGreaterThan(32);
    // The plaintext key is nowhere in the stored item.
    expect(wrapped.includes(Buffer.from(keys.current.key))).toBe(false);
    expect(JSON.stringify(Item)).not.toContain(Buffer.from(keys.current.key).toString('base64'));
    expect(keys.current.id).toMatch(/^kms-[0-9a-f]{12}$/);
    expect(keys.current.id).toBe(kmsFieldKeyId(wrapped));
  });

  it('second start: reads the stored key and unwraps it with Decrypt; what the first sealed opens', async () => {
    const before = kms.calls.length;
    const sealed = createFieldCipher(firstStart).encrypt('张小明', FIELD);

    const second = await start(kms, table);
    const opened = createFieldCipher(second).decrypt(sealed, FIELD);

    expect(opened).toBe('张小明');
    expect(kms.calls.slice(before).map((c) => c.operation)).toEqual(['Decrypt']);
    expect(kms.calls.at(-1)?.body).toMatchObject({
      KeyId: kms.keyArn,
      EncryptionContext: FIELD_KEY_ENCRYPTION_CONTEXT,
    });
    expect(sealed.split(':')[1]).toBe(second.current.id);
  });

  it('a stored key that the configured KMS key did not wrap stops the start, naming both', async () => {
    const other = await kmsServer();
    await expect(start(other, table)).rejects.toThrow(
      new RegExp(`FIELDKEY/CURRENT.*${other.keyArn}.*InvalidCiphertextException`),
    );
    // Decrypt names the key: a blob of another key is refused, not opened by whatever key made it.
    await expect(start(kms, table, `${kms.keyArn.slice(0, -4)}0000`)).rejects.toThrow(
      /IncorrectKeyException/,
    );
    const { Items } = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': FIELD_KEY_KEY.pk },
      }),
    );
    expect(Items).toHaveLength(1);
  });
});

describe('two first starts at once', () => {
  it('both generate, one stores, and both seal with the stored key', async () => {
    // Neither GenerateDataKey is answered before both arrived: both starts found no stored key.
    const kms = await kmsServer({ holdGenerateUntil: 2 });
    const table = await freshTable();

    const [a, b] = await Promise.all([start(kms, table), start(kms, table)]);

    const operations = kms.calls.map((c) => c.operation).sort();
    expect(operations).toEqual(['Decrypt', 'GenerateDataKey', 'GenerateDataKey']);
    expect(a.current.id).toBe(b.current.id);
    expect(Buffer.from(a.current.key).equals(Buffer.from(b.current.key))).toBe(true);
    const stored = await fieldKeyRepository(table).get();
    expect(kmsFieldKeyId(stored?.wrapped ?? new Uint8Array())).toBe(a.current.id);
    const sealedByA = createFieldCipher(a).encrypt('13812345678', 'case:c-002:guardianPhone');
    expect(createFieldCipher(b).decrypt(sealedByA, 'case:c-002:guardianPhone')).toBe('13812345678');
  });
});

describe('the Lambda wiring (functions/api/lambda-deps.ts)', () => {
  it('builds no cipher without DUBAN_FIELD_KMS_KEY_ID, and asks KMS nothing', async () => {
    const kms = await kmsServer();
    const table = await freshTable();
    const cipher = await loadFieldCipher(parseLambdaConfig(LAMBDA_ENV), table, { kms: kms.client() });
    expect(cipher).toBeUndefined();
    expect(kms.calls).toEqual([]);
  });

  it('builds the cipher from the KMS key DUBAN_FIELD_KMS_KEY_ID names', async () => {
    const kms = await kmsServer();
    const table = await freshTable();
    const config = parseLambdaConfig({ ...LAMBDA_ENV, DUBAN_FIELD_KMS_KEY_ID: kms.keyArn });

    const cold = await loadFieldCipher(config, table, { kms: kms.client() });
    const warm = await loadFieldCipher(config, table, { kms: kms.client() });

    const sealed = cold?.encrypt('李四', FIELD) ?? '';
    expect(sealed).toMatch(/^v1:kms-[0-9a-f]{12}:/);
    expect(warm?.decrypt(sealed, FIELD)).toBe('李四');
    expect(kms.calls.map((c) => c.operation)).toEqual(['GenerateDataKey', 'Decrypt']);
  });

  it('asks KMS nothing at cold start: the key is unwrapped when the first case needs it', async () => {
    const kms = await kmsServer();
    const config = parseLambdaConfig({ ...LAMBDA_ENV, DUBAN_FIELD_KMS_KEY_ID: kms.keyArn });
    const table = await freshTable();
    const parts = await loadParts(config, { kms: kms.client(), table });
    expect(kms.calls).toEqual([]);
    const cipher = await parts.fieldCipher?.();
    expect(cipher?.decrypt(cipher.encrypt('王五', FIELD), FIELD)).toBe('王五');
    expect(kms.calls.map((c) => c.operation)).toEqual(['GenerateDataKey']);
    // Without the variable there is nothing to load.
    expect((await loadParts(parseLambdaConfig(LAMBDA_ENV), { table })).fieldCipher).toBeUndefined();
  });

  it('refuses an empty DUBAN_FIELD_KMS_KEY_ID', () => {
    expect(() => parseLambdaConfig({ ...LAMBDA_ENV, DUBAN_FIELD_KMS_KEY_ID: '' })).toThrow(
      /DUBAN_FIELD_KMS_KEY_ID/,
    );
  });
});

describe('the case routes on the KMS-unwrapped key', () => {
  it('seal a child through the real app under the kms- key, and a later cold start opens it', async () => {
    const kms = await kmsServer();
    const config = parseLambdaConfig({ ...LAMBDA_ENV, DUBAN_FIELD_KMS_KEY_ID: kms.keyArn });
    const api = await testApp({
      now: new Date('2025-10-09T02:00:00Z'),
      fieldCipherFor: (table) => loadFieldCipher(config, table, { kms: kms.client() }),
    });
    for (const body of [
      { id: 'county', name: '县教育体育局', kind: 'bureau' },
      { id: 'town', name: '城关镇', kind: 'township', parentId: 'county' },
      { id: 'school-a', name: '城关中学', kind: 'school', parentId: 'town' },
    ]) {
      expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
    }
    const school = unitUser('school-a');
    const created = await api.call<{ id: string }>('POST', '/v1/cases', {
      as: school,
      body: {
        childName: '张小明',
        gender: 'male',
        birthYearMonth: '2012-03',
        grade: '七年级',
        className: '2班',
        schoolUnitId: 'school-a',
        townshipUnitId: 'town',
        village: '东街村',
        guardian: { name: '张大山', phone: '13812345678' },
        teacher: { name: '王老师', phone: '13900001111' },
        leader: { name: '李校长', phone: '13900002222' },
        firstDayAbsent: '2025-09-25',
      },
    });
    expect(created.status, created.text).toBe(201);

    const whole = await api.call<{ childName: string }>('GET', `/v1/cases/${created.body.id}`, {
      as: school,
    });
    expect(whole.status, whole.text).toBe(200);
    expect(whole.body.childName).toBe('张小明');

    const raw = await api.doc.send(
      new GetCommand({ TableName: api.table.tableName, Key: { pk: `CASE#${created.body.id}`, sk: 'CASE' } }),
    );
    const sealed = (raw.Item as { sealed: { childName: string } }).sealed.childName;
    const later = await start(kms, api.table);
    expect(sealed.startsWith(`v1:${later.current.id}:`)).toBe(true);
    expect(createFieldCipher(later).decrypt(sealed, `case:${created.body.id}:childName`)).toBe('张小明');
  });
});
