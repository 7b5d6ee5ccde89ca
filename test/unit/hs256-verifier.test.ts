/**
 * The HS256 verifier remembers tokens it has verified, to spare the HMAC on every request: that
 * must change nothing about which tokens pass. Time is moved with fake Date only.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hs256Verifier, issueHs256Token } from '../../shared/auth/tokens.js';
import { UnauthorizedError } from '../../shared/errors.js';

const SECRET = 'unit-test-secret-0123456789-0123456789';
const CLERK = { sub: 'clerk-1', role: 'unit' as const, unitId: 'school-1' };

describe('hs256 verifier', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps accepting a verified token until its exp, then refuses it as before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-05-16T02:00:00Z'));
    const verify = hs256Verifier(SECRET);
    const token = await issueHs256Token(SECRET, CLERK, { ttlSeconds: 60 });
    expect(await verify(token)).toEqual(CLERK);
    vi.setSystemTime(new Date('2026-05-16T02:00:59Z'));
    expect(await verify(token)).toEqual(CLERK);
    // exp is 02:01:00: from that second on the token is expired, remembered or not.
    vi.setSystemTime(new Date('2026-05-16T02:01:00Z'));
    await expect(verify(token)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(verify(token)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('never remembers a token that failed', async () => {
    const verify = hs256Verifier(SECRET);
    const forged = await issueHs256Token('another-secret-0123456789-0123456789', CLERK);
    for (let i = 0; i < 2; i++) await expect(verify(forged)).rejects.toBeInstanceOf(UnauthorizedError);
    // A token remembered by one verifier is nothing to another key's verifier.
    const token = await issueHs256Token(SECRET, CLERK);
    expect(await verify(token)).toEqual(CLERK);
    await expect(hs256Verifier('another-secret-0123456789-0123456789')(token)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it('answers a frozen principal, so no caller can change what the next request sees', async () => {
    const verify = hs256Verifier(SECRET);
    const token = await issueHs256Token(SECRET, CLERK);
    const principal = await verify(token);
    expect(Object.isFrozen(principal)).toBe(true);
    expect(await verify(token)).toBe(principal);
  });
});
