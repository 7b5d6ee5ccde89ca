import { describe, expect, it } from 'vitest';
import { parseLambdaConfig, parseSweepConfig } from '../../shared/config.js';

const BASE = { TABLE_NAME: 'duban', AUDIT_TABLE_NAME: 'duban-audit', AWS_REGION: 'cn-northwest-1' };
const OIDC = { DUBAN_OIDC_ISSUER: 'https://sso.example.gov.cn/realms/county', DUBAN_OIDC_AUDIENCE: 'duban' };
const EVIDENCE = { EVIDENCE_BUCKET: 'duban-evidence-bucket' };

describe('function environment', () => {
  it('accepts the environment the stack gives the sweep, and refuses the rehearsal clock', () => {
    expect(parseSweepConfig(BASE)).toEqual(BASE);
    expect(() => parseSweepConfig({ ...BASE, DUBAN_NOW: '2026-05-16T10:00:00+08:00' })).toThrow(/DUBAN_NOW/);
  });

  it('gives the API its OIDC issuer, audiences and claim names', () => {
    expect(
      parseLambdaConfig({ ...BASE, ...OIDC, ...EVIDENCE, DUBAN_OIDC_AUDIENCE: 'duban, duban-m' }),
    ).toEqual({
      ...BASE,
      ...EVIDENCE,
      DUBAN_OIDC_ISSUER: OIDC.DUBAN_OIDC_ISSUER,
      DUBAN_OIDC_AUDIENCE: ['duban', 'duban-m'],
      DUBAN_ROLE_CLAIM: 'role',
      DUBAN_UNIT_CLAIM: 'unitId',
    });
    expect(
      parseLambdaConfig({
        ...BASE,
        ...OIDC,
        ...EVIDENCE,
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
    expect(() => parseLambdaConfig({ ...BASE, ...OIDC, DUBAN_OIDC_AUDIENCE: ' , ' })).toThrow(/audience/);
  });

  it('fails the cold start without the evidence bucket', () => {
    expect(() => parseLambdaConfig({ ...BASE, ...OIDC })).toThrow(/EVIDENCE_BUCKET/);
  });
});
