import { describe, expect, it } from 'vitest';
import { rateWindow } from '../../shared/domain/access/rate-window.js';

describe('rate window', () => {
  it('names the minute an instant falls in and the seconds left in it', () => {
    const w = rateWindow(new Date('2026-05-16T02:00:59.200Z'), 60);
    expect(w.start).toBe('2026-05-16T02:00:00.000Z');
    expect(w.retryAfterSeconds).toBe(1);
    expect(w.expiresAtEpochSeconds).toBe(Date.parse('2026-05-16T02:02:00Z') / 1000);
  });

  it('starts a new window exactly on the boundary', () => {
    const w = rateWindow(new Date('2026-05-16T02:01:00.000Z'), 60);
    expect(w.start).toBe('2026-05-16T02:01:00.000Z');
    expect(w.retryAfterSeconds).toBe(60);
  });

  it('never asks to wait less than a second', () => {
    expect(rateWindow(new Date('2026-05-16T02:00:09.999Z'), 10).retryAfterSeconds).toBe(1);
  });

  it('refuses a window that is not a whole positive number of seconds', () => {
    expect(() => rateWindow(new Date(), 0)).toThrow(RangeError);
    expect(() => rateWindow(new Date(), 1.5)).toThrow(RangeError);
  });
});
