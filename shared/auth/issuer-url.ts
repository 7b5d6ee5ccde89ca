/** The one rule for issuer URLs: https, except on the loopback interface (tests and a local issuer). */
export function httpsOrLoopback(url: URL): boolean {
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
}
