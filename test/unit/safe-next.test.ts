import { describe, expect, it } from 'vitest';
import { safeNext } from '../../functions/web/session.js';

/** Where a browser goes when it gets `Location: <value>` from https://duban.example/signin. */
const browserTarget = (location: string) => new URL(location, 'https://duban.example/signin');

describe('safeNext: where a sign-in may send the browser', () => {
  it.each([
    ['/', '/'],
    ['/my?x=1', '/my?x=1'],
    ['/plans/p1/review?ok=accepted#notices', '/plans/p1/review?ok=accepted#notices'],
    ['/duties/d1?ok=a%20b', '/duties/d1?ok=a%20b'],
    // Percent-encoded tabs and slashes stay encoded: one path segment on this site, not a host.
    ['/%09/evil.example', '/%09/evil.example'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['/%5Cevil.example', '/%5Cevil.example'],
    // Non-ASCII comes back percent-encoded, so the header is always valid.
    ['/报表', '/%E6%8A%A5%E8%A1%A8'],
    ['/a/../my', '/my'],
  ])('keeps the path on this site: %j -> %j', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    undefined,
    '',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '\t//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    '//evil.example',
    '///evil.example',
    '//evil.example/my',
    '/.//evil.example',
    '/%2e//evil.example',
    '/%2E//evil.example',
    '/x/..//evil.example',
    '/.\\/evil.example',
    'https://evil.example/',
    'HTTPS://evil.example',
    'https:evil.example',
    'https:/\\evil.example',
    'javascript:alert(1)',
    ' javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
  ])('sends %j home instead', (next) => {
    expect(safeNext(next)).toBe('/');
  });

  it('sends a very long next home', () => {
    expect(safeNext(`/${'a'.repeat(5_000)}`)).toBe('/');
  });

  it('never answers with a value that leaves the site or breaks the header', () => {
    const hostile = [
      '/\t/evil.example',
      '/\r\nSet-Cookie: x=1',
      '/\u0000/evil.example',
      '/\u2028/evil.example',
      '/../../evil.example',
      '/my?next=//evil.example',
      '/my#//evil.example',
      'evil.example',
      'http:evil.example',
      './/evil.example',
      '?//evil.example',
      '#//evil.example',
    ];
    for (const next of hostile) {
      const location = safeNext(next);
      expect(browserTarget(location).origin).toBe('https://duban.example');
      expect(location).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
    }
  });
});
