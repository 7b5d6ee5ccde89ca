import { describe, expect, it } from 'vitest';
import { parseLambdaConfig, parseSweepConfig } from '../../shared/config.js';

const BASE = { TABLE_NAME: 'duban', AUDIT_TABLE_NAME: 'duban-audit', AWS_REGION: 'cn-northwest-1' };
const OIDC = { DUBAN_OIDC_ISSUER: 'https://sso.example.gov.cn/realms/county', DUBAN_OIDC_AUDIENCE: 'duban' };
const EVIDENCE = { EVIDENCE_BUCKET: 'duban-evidence-bucket' };
const SIGN_IN = {
  DUBAN_OIDC_CLIENT_ID: 'duban',
  DUBAN_OIDC_REDIRECT_URI: 'https://duban.example.gov.cn/signin/callback',
};

describe('function environment', () => {
  it('accepts the environment the stack gives the sweep, and refuses the rehearsal clock', () => {
    expect(parseSweepConfig(BASE)).toEqual(BASE);
    expect(() => parseSweepConfig({ ...BASE, DUBAN_NOW: '2026-05-16T10:00:00+08:00' })).toThrow(/DUBAN_NOW/);
  });

  it('takes the per-caller rate limit from the environment, and refuses a nonsense one', () => {
    const env = { ...BASE, ...OIDC, ...EVIDENCE, ...SIGN_IN };
    expect(parseLambdaConfig({ ...env, DUBAN_RATE_LIMIT_PER_MINUTE: '60' }).DUBAN_RATE_LIMIT_PER_MINUTE).toBe(
      60,
    );
    expect(() => parseLambdaConfig({ ...env, DUBAN_RATE_LIMIT_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT/);
    expect(() => parseLambdaConfig({ ...env, DUBAN_RATE_LIMIT_PER_MINUTE: 'many' })).toThrow(/RATE_LIMIT/);
  });

  it('gives the API its OIDC issuer, audiences and claim names', () => {
    expect(
      parseLambdaConfig({ ...BASE, ...OIDC, ...EVIDENCE, ...SIGN_IN, DUBAN_OIDC_AUDIENCE: 'duban, duban-m' }),
    ).toEqual({
      ...BASE,
      ...EVIDENCE,
      ...SIGN_IN,
      DUBAN_OIDC_ISSUER: OIDC.DUBAN_OIDC_ISSUER,
      DUBAN_OIDC_AUDIENCE: ['duban', 'duban-m'],
      DUBAN_OIDC_SCOPES: 'openid profile email',
      DUBAN_ROLE_CLAIM: 'role',
      DUBAN_UNIT_CLAIM: 'unitId',
      DUBAN_RATE_LIMIT_PER_MINUTE: 300,
    });
    expect(
      parseLambdaConfig({
        ...BASE,
        ...OIDC,
        ...EVIDENCE,
        ...SIGN_IN,
        DUBAN_ROLE_CLAIM: 'custom:role',
        DUBAN_UNIT_CLAIM: 'custom:unitId',
      }),
    ).toMatchObject({ DUBAN_ROLE_CLAIM: 'custom:role', DUBAN_UNIT_CLAIM: 'custom:unitId' });
  });

  it('fails the cold start without an https issuer or an audience', () => {
    expect(() => parseLambdaConfig(BASE)).toThrow(/DUBAN_OIDC_ISSUER/);
    expect(() =>
      parseLambdaConfig({ ...BASE, ...OIDC, DUBAN_OIDC_ISSUER: 'http://sso.example.gov.cn' }),
    ).toThrow(/https/);
    // Plain http passes only on the loopback interface, the one rule for every issuer URL.
    expect(() =>
      parseLambdaConfig({ ...BASE, ...OIDC, DUBAN_OIDC_ISSUER: 'http://127.0.0.1.example.cn/realms/county' }),
    ).toThrow(/https/);
    expect(
      parseLambdaConfig({
        ...BASE,
        ...OIDC,
        ...EVIDENCE,
        ...SIGN_IN,
        DUBAN_OIDC_ISSUER: 'http://127.0.0.1:8443/realms/county',
      }).DUBAN_OIDC_ISSUER,
    ).toBe('http://127.0.0.1:8443/realms/county');
    expect(() => parseLambdaConfig({ ...BASE, ...OIDC, DUBAN_OIDC_AUDIENCE: ' , ' })).toThrow(/audience/);
  });

  it('fails the cold start without the evidence bucket', () => {
    expect(() => parseLambdaConfig({ ...BASE, ...OIDC })).toThrow(/EVIDENCE_BUCKET/);
  });
});
