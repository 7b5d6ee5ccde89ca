/**
 * Property-based fuzz of the whole HTTP surface (issue 5): 10,000 generated requests — routes read
 * from /openapi.json, path parameters that are real fixture ids or junk (unicode, emoji, '../',
 * percent-encoded bytes, very long), every method, query strings and cursors, headers, tokens and
 * bodies (shaped by the route's schema with generated values, one value at any depth set to an
 * edge or to junk, extra and hostile keys, huge strings, malformed JSON, not JSON at all) — sent
 * in-process through `app.request` against the real app on fresh DynamoDB Local tables. The
 * fixture's own names and titles are hostile text (bidi overrides, formulas, markup through the API;
 * control characters and lone surrogates, which the API now refuses, written through the services
 * as data stored before that check), so reads, exports and headers meet them too.
 *
 * Invariants, for every request:
 *  1. the status is never 5xx, and nothing reaches the app's error log;
 *  2. every /v1 (and /health, /openapi.json) response with status >= 400 is JSON
 *     `{error: {code, message}}` with a non-empty code and message (pages may answer HTML);
 *  3. a refused request (4xx) wrote nothing: no write command completed on the app's DynamoDB
 *     client during it (checked for every request), and both tables (main and `<table>-audit`)
 *     scan the same before and after — always for callers other than the office on write
 *     routes, and for one other refused request in 20;
 *  4. no response carries a stack frame or an internal error name.
 *
 * The seed is fixed and logged (FUZZ_SEED overrides it; FUZZ_SCALE multiplies the run counts), so
 * a failure replays exactly; fast-check prints the shrunk request. FUZZ_SURVEY=1 keeps going past
 * failures and prints every distinct one at the end; FUZZ_PROGRESS=1 prints progress and a
 * breakdown of statuses by caller.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import { DEFAULT_ESCALATION_POLICY } from '../../shared/domain/escalation/ladder.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Notice } from '../../shared/schemas/notices.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { LEADER, OFFICE, TEST_SECRET, testApp, unitUser } from '../fixtures/app.js';
import { tableSnapshot } from '../fixtures/snapshot.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20260516);
// 1 sends the 10,000 requests the issue asks for: about 80 s on a loaded, shared 2-CPU machine.
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const SURVEY = process.env.FUZZ_SURVEY === '1';
const PROGRESS = process.env.FUZZ_PROGRESS === '1';
const t0 = performance.now();
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/** Schema-shaped requests to the routes of /openapi.json, any caller. */
const RUNS_SHAPED = runs(2600);
/** Any method, mangled paths, the pages, malformed and non-JSON bodies. */
const RUNS_WILD = runs(6100);
/** Write routes by callers that are not the office, each one checked for writes. */
const RUNS_REFUSED_WRITES = runs(800);
/** Tokens and Authorization headers of every kind. */
const RUNS_AUTH = runs(500);
const SAMPLE_EVERY = 20;
const MAX_BODY = 256 * 1024;

type Api = Awaited<ReturnType<typeof testApp>>;
type Schema = Record<string, unknown>;

interface Param {
  name: string;
  in: string;
  schema: Schema;
}

interface Route {
  method: string;
  template: string;
  params: Param[];
  body: Schema | undefined;
}

const CALLERS = [
  'office',
  'leader',
  'own',
  'parent',
  'other',
  'deactivated',
  'expired',
  'forged',
  'algNone',
  'hs512',
] as const;
type Caller = (typeof CALLERS)[number];

type Auth =
  | { kind: 'caller'; caller: Caller }
  | { kind: 'none' }
  | { kind: 'raw'; header: string }
  /** A token signed with the right key whose claims are generated (role, unitId, exp …). */
  | { kind: 'claims'; claims: Record<string, unknown> }
  /** A valid token in an odd header shape ('bearer', extra spaces, trailing junk). */
  | { kind: 'shaped'; caller: Caller; prefix: string; suffix: string };

interface FuzzRequest {
  label: string;
  method: string;
  path: string;
  auth: Auth;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

interface Fixture {
  api: Api;
  routes: Route[];
  schemas: Record<string, Schema>;
  /** Real ids by the parameter or field name they fit. */
  ids: Record<string, string[]>;
  allIds: string[];
  /** Real cursors (decoded) from the list routes, to mutate. */
  cursors: Record<string, string>[];
  /** Page paths found in the HTML of the public pages. */
  pages: string[];
  tokens: Record<Caller, string>;
  /** Every write command the app's DynamoDB client completed, in order. */
  writes: string[];
  /** Ids for the deactivation route: spare units only. */
  spare: { ids: Record<string, string[]>; allIds: string[] };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

function hs256(claims: Record<string, unknown>, secret = TEST_SECRET, alg = 'HS256'): string {
  const head = b64url(JSON.stringify({ alg, typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const hash = alg === 'HS512' ? 'sha512' : 'sha256';
  return `${head}.${body}.${createHmac(hash, secret).update(`${head}.${body}`).digest('base64url')}`;
}

/** Where the time goes, printed with FUZZ_PROGRESS=1. */
const timing = { snapshotMs: 0, snapshots: 0, requestMs: 0, items: 0 };
async function snapshot(api: Api): Promise<string> {
  const t = performance.now();
  const snap = await tableSnapshot(api.table);
  timing.snapshotMs += performance.now() - t;
  timing.snapshots++;
  timing.items = snap.length === 0 ? 0 : snap.split('\n').length;
  return snap;
}

/** The first lines that differ between two snapshots, for the failure message. */
function diff(before: string, after: string): string {
  const a = new Set(before.split('\n'));
  const b = new Set(after.split('\n'));
  const gone = [...a].filter((l) => !b.has(l)).map((l) => `- ${l.slice(0, 400)}`);
  const added = [...b].filter((l) => !a.has(l)).map((l) => `+ ${l.slice(0, 400)}`);
  return [...gone, ...added].slice(0, 10).join('\n');
}

/** encodeURIComponent, with lone surrogates (which a URL cannot carry) made U+FFFD first. */
const encode = (s: string) =>
  encodeURIComponent(
    s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );

const clip = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

function describeBody(body: string | Uint8Array | undefined): string {
  if (body === undefined) return '(none)';
  if (typeof body === 'string') return JSON.stringify(clip(body, 800));
  return `bytes[${body.length}] ${Buffer.from(body.subarray(0, 48)).toString('hex')}`;
}

function describeAuth(auth: Auth): string {
  switch (auth.kind) {
    case 'caller':
      return auth.caller;
    case 'none':
      return 'no Authorization';
    case 'raw':
      return `Authorization: ${JSON.stringify(clip(auth.header, 200))}`;
    case 'claims':
      return `HS256 token (right key) with claims ${clip(JSON.stringify(auth.claims), 400)}`;
    case 'shaped':
      return `${auth.caller} token as ${JSON.stringify(`${auth.prefix}<token>${auth.suffix}`)}`;
  }
}

function describeRequest(r: FuzzRequest): string {
  const headers = Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${JSON.stringify(clip(v, 200))}`)
    .join('; ');
  return [
    `${r.method} ${clip(r.path, 400)}   [${r.label}]`,
    `  caller: ${describeAuth(r.auth)}`,
    `  headers: ${headers || '(none)'}`,
    `  body: ${describeBody(r.body)}`,
  ].join('\n');
}

/** Gives a generated request a short printable form for fast-check's counterexample report. */
const printable = (r: FuzzRequest): FuzzRequest =>
  Object.defineProperty(r, fc.toStringMethod, {
    value: () => `\n${describeRequest(r)}\n`,
    enumerable: false,
  });

// ---------------------------------------------------------------------------------------------
// The route table

function readRoutes(doc: unknown): { routes: Route[]; schemas: Record<string, Schema> } {
  if (!isRecord(doc) || !isRecord(doc.paths)) throw new Error('/openapi.json has no paths');
  const components =
    isRecord(doc.components) && isRecord(doc.components.schemas) ? doc.components.schemas : {};
  const schemas: Record<string, Schema> = {};
  for (const [name, s] of Object.entries(components)) if (isRecord(s)) schemas[name] = s;
  const routes: Route[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    if (!isRecord(ops)) continue;
    for (const [method, op] of Object.entries(ops)) {
      if (!isRecord(op)) continue;
      const params: Param[] = [];
      for (const p of Array.isArray(op.parameters) ? op.parameters : []) {
        if (isRecord(p) && typeof p.name === 'string' && typeof p.in === 'string') {
          params.push({ name: p.name, in: p.in, schema: isRecord(p.schema) ? p.schema : {} });
        }
      }
      let body: Schema | undefined;
      const rb = op.requestBody;
      if (isRecord(rb) && isRecord(rb.content)) {
        const json = rb.content['application/json'];
        if (isRecord(json) && isRecord(json.schema)) body = json.schema;
      }
      routes.push({ method: method.toUpperCase(), template, params, body });
    }
  }
  return { routes, schemas };
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const JUNK_SEGMENTS = [
  '..',
  '.',
  '../',
  '../../etc/passwd',
  '..%2f..%2f',
  '%2e%2e',
  '%2F',
  '%',
  '%zz',
  '%00',
  '%E4%B8',
  '%C0%AF',
  '%uFFFF',
  '😀',
  '👨‍👩‍👧‍👦',
  '中文',
  '督办',
  ' ',
  '\t',
  '?',
  '#',
  ';',
  'a;b=c',
  '\\',
  '..\\..',
  'UNIT#village',
  'PLAN#',
  '#DUTY',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '$' + '{jndi:x}',
  '{{7*7}}',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '-1',
  '0',
  '1e309',
  'NaN',
  'Infinity',
  '2026',
  'rpt-',
  'rpt-x',
  'VILLAGE',
  'village ',
  '-village',
];

const LONG_CHARS = ['a', '中', '😀', '%', '-', '0', '\\', '"'];

/** A long string: ids past their length limit, up to a few KiB. */
const longString = (max: number) =>
  fc
    .tuple(fc.integer({ min: 64, max }), fc.constantFrom(...LONG_CHARS))
    .map(([n, ch]) => ch.repeat(Math.ceil(n / ch.length)));

/** A huge string, around and past the body limit. */
const hugeString = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 4 * 1024, max: 64 * 1024 }),
      fc.integer({ min: MAX_BODY - 2048, max: MAX_BODY + 1024 }),
      fc.integer({ min: 64 * 1024, max: 300 * 1024 }),
    ),
    fc.constantFrom('x', '中', '😀', '\u0000', ' '),
  )
  .map(([bytes, ch]) => ch.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(ch)))));

/**
 * Text a schema accepts but code downstream may not: control characters, lone surrogates (JSON
 * escapes them), bidi overrides, non-characters, spreadsheet formulas, markup.
 */
const HOSTILE_TEXT = [
  '\u0000',
  'a\u0007\u001b[31mb',
  '\ud800',
  '督办\udc00',
  '方案\ud83d',
  '\u202e反转',
  '\ufeff',
  '\ufffe\uffff',
  '=HYPERLINK("http://x","y")',
  '+1+1',
  '@SUM(A1)',
  '<b>&amp;"\'</b>',
  ']]><!--',
  '\r\n\t',
  ' ',
  '\\',
  '%s%n',
  '../..',
  '👨‍👩‍👧‍👦🇨🇳',
];

const hostileText = fc
  .tuple(fc.constantFrom(...HOSTILE_TEXT), fc.constantFrom('', '东街村', 'x'))
  .map(([h, around]) => `${around}${h}${around}`);

const anyString = fc.oneof(
  { weight: 2, arbitrary: hostileText },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 10 }) },
  { weight: 2, arbitrary: fc.constantFrom(...JUNK_SEGMENTS) },
  { weight: 1, arbitrary: longString(3000) },
);

/** A path segment as sent: encoded, raw, or percent-encoded bytes. */
const junkSegment = fc.oneof(
  { weight: 3, arbitrary: anyString.map(encode) },
  { weight: 2, arbitrary: anyString.map((s) => s.replace(/[\r\n#?]/g, '')) },
  { weight: 1, arbitrary: fc.webSegment() },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 24 })
      .map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('')),
  },
);

const DATES = [
  '2026-05-16',
  '2026-05-20',
  '2026-06-30',
  '2026-07-20',
  '2026-05-01',
  '2026-02-29',
  '2026-13-01',
  '2026-00-10',
  '0000-00-00',
  '9999-12-31',
  '2026-5-6',
  '2026-06-30T12:00:00+08:00',
  '2026-06-30T12:00:00Z',
  '2026-06-30T12:00:00',
  '2026-06-30T25:61:00+08:00',
  '2026-06-30T12:00:00+99:00',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '2100-12-31T23:59:59.999Z',
];

/** Dates a date pattern accepts at the ends of the calendar. */
const EDGE_DATES = [
  '9999-12-31',
  '0000-01-01',
  '0001-01-01',
  '1900-01-01',
  '1901-12-13',
  '1970-01-01',
  '2038-01-19T03:14:08Z',
  '2099-12-31',
  '2100-12-31',
  '2101-01-01',
  '2026-12-31T23:59:59.999+14:00',
  '2026-01-01T00:00:00-12:00',
  '9999-12-31T23:59:59.999Z',
  '0000-01-01T00:00:00Z',
];

const PLAUSIBLE_DATES = [
  '2026-05-16',
  '2026-05-20',
  '2026-06-30',
  '2026-07-20',
  '2026-06-30T12:00:00+08:00',
  '2026-06-30T12:00:00Z',
  '2026-09-01',
];

const dateString = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PLAUSIBLE_DATES) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_DATES) },
  { weight: 3, arbitrary: fc.constantFrom(...DATES) },
  {
    weight: 2,
    arbitrary: fc
      .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  },
  {
    weight: 1,
    arbitrary: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2101-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
);

/** Any JSON value, sometimes deeply nested or with hostile keys. */
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      1e308,
      -1e308,
      2 ** 53 + 1,
      '',
      ' ',
      '\u0000',
      [],
      {},
      [null],
      JSON.parse('{"__proto__":1}') as unknown,
      'true',
      '1',
    ),
  },
  { weight: 2, arbitrary: anyString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 20, max: 3000 }).map((n) => {
      let v: unknown = 'leaf';
      for (let i = 0; i < n; i++) v = i % 2 === 0 ? [v] : { a: v };
      return v;
    }),
  },
);

interface ArbContext {
  fx: Fixture;
  /** Probability weight of a deliberately wrong value at each node. */
  junk: number;
  /** Weight of a real fixture id for a path or query parameter (junk and other ids: 7). */
  realIds?: number;
  /** Top-level objects with their required fields only (more of them pass the service's checks). */
  minimal?: boolean;
}

const idFor = (fx: Fixture, name: string): fc.Arbitrary<string> | undefined => {
  const key = name.replace(/s$/, '');
  const known = fx.ids[key] ?? fx.ids[name];
  return known === undefined || known.length === 0 ? undefined : fc.constantFrom(...known);
};

/** fc.stringMatching takes milliseconds to build: one arbitrary per pattern, shared. */
const patterns = new Map<string, fc.Arbitrary<string>>();
function matching(pattern: string): fc.Arbitrary<string> {
  let arb = patterns.get(pattern);
  if (arb === undefined) {
    arb = fc.stringMatching(new RegExp(pattern));
    patterns.set(pattern, arb);
  }
  return arb;
}

const DATE_FIELD = /(^|[a-z])(due|start|end|until|from|to|asOf|holidays|workdays|At)$/i;

function resolve(schema: Schema, fx: Fixture): Schema {
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    const name = ref.split('/').pop() ?? '';
    const target = fx.schemas[name];
    if (target === undefined) return {};
    return resolve(
      { ...target, ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')) },
      fx,
    );
  }
  const all = schema.allOf;
  if (Array.isArray(all)) {
    let merged: Schema = {};
    for (const part of all) if (isRecord(part)) merged = { ...merged, ...resolve(part, fx) };
    const rest = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'allOf'));
    return { ...merged, ...rest };
  }
  return schema;
}

/** A value for a schema: mostly valid, with wrong values mixed in at every level. */
function valueArb(raw: Schema, name: string, ctx: ArbContext, depth = 0): fc.Arbitrary<unknown> {
  const valid = validArb(resolve(raw, ctx.fx), name, ctx, depth);
  if (ctx.junk === 0) return valid;
  return fc.oneof({ weight: 20, arbitrary: valid }, { weight: ctx.junk, arbitrary: junkValue });
}

function validArb(s: Schema, name: string, ctx: ArbContext, depth: number): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  const variants = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (variants !== undefined) {
    const arbs = variants.filter(isRecord).map((v) => valueArb(v, name, ctx, depth + 1));
    return arbs.length > 0 ? fc.oneof(...arbs) : fc.constant(null);
  }
  if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom<unknown>(...s.enum);
  const type = s.type;
  if (type === 'null') return fc.constant(null);
  if (type === 'boolean') return fc.boolean();
  if (type === 'integer' || type === 'number') {
    const min = typeof s.minimum === 'number' ? s.minimum : -1000;
    const max = typeof s.maximum === 'number' ? s.maximum : 1000;
    const ints = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    return type === 'integer' ? ints : fc.oneof(ints, fc.double({ min, max, noNaN: true }));
  }
  if (type === 'array') {
    const items = isRecord(s.items) ? s.items : {};
    const minLength = typeof s.minItems === 'number' ? s.minItems : 0;
    const maxItems = typeof s.maxItems === 'number' ? s.maxItems : 6;
    return fc.oneof(
      {
        weight: 10,
        arbitrary: fc.array(valueArb(items, name, ctx, depth + 1), {
          minLength,
          maxLength: Math.min(maxItems, minLength + 4),
        }),
      },
      // At (and past) the limit.
      {
        weight: 1,
        arbitrary: fc.array(valueArb(items, name, ctx, depth + 1), {
          minLength: maxItems,
          maxLength: maxItems + 2,
        }),
      },
    );
  }
  if (type === 'object' || isRecord(s.properties)) {
    const props = isRecord(s.properties) ? s.properties : {};
    const required = Array.isArray(s.required)
      ? s.required.filter((k): k is string => typeof k === 'string')
      : [];
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [key, sub] of Object.entries(props)) {
      if (!isRecord(sub) || (ctx.minimal === true && depth === 0 && !required.includes(key))) continue;
      model[key] = valueArb(sub, key, ctx, depth + 1);
    }
    return fc.record(model, { requiredKeys: required.filter((k) => k in model) });
  }
  // Strings.
  const known = idFor(ctx.fx, name);
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
  const maxLength = typeof s.maxLength === 'number' ? s.maxLength : 60;
  const options: fc.WeightedArbitrary<unknown>[] = [];
  if (known !== undefined) options.push({ weight: 8, arbitrary: known });
  if (s.format === 'date-time' || DATE_FIELD.test(name)) options.push({ weight: 8, arbitrary: dateString });
  if (typeof s.pattern === 'string') {
    try {
      options.push({ weight: 2, arbitrary: matching(s.pattern) });
    } catch {
      // A pattern fast-check cannot generate from: the other options cover the field.
    }
  }
  if (typeof s.example === 'string') options.push({ weight: 2, arbitrary: fc.constant(s.example) });
  if (name === 'timezone') {
    options.push({
      weight: 4,
      arbitrary: fc.constantFrom('Asia/Shanghai', 'UTC', 'Mars/Olympus', '', 'Etc/GMT+14'),
    });
  }
  // Free text where the schema allows any text; ids, keys and dates get their own values above.
  const constrained = options.length > (typeof s.example === 'string' ? 1 : 0);
  if (!constrained) {
    options.push({
      weight: 3,
      arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, minLength + 40) }),
    });
    options.push({
      weight: 2,
      arbitrary: hostileText.filter((t) => t.length >= minLength && t.length <= maxLength),
    });
  }
  // At and just past the limit (an emoji counts twice in UTF-16).
  options.push({
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: maxLength, max: maxLength + 1 }), fc.constantFrom('a', '中', '😀', ' '))
      .map(([n, ch]) => ch.repeat(n)),
  });
  return fc.oneof(...options);
}

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'pk',
  'sk',
  'id',
  'version',
  'status',
  'role',
  '',
];

type Path = (string | number)[];

/** Every position in a JSON value, parents before children. */
function positions(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (out.length > 400) return out;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) positions(x, [...at, i], out);
  } else if (isRecord(v)) for (const [k, x] of Object.entries(v)) positions(x, [...at, k], out);
  return out;
}

/** A copy of `v` with the value at `path` replaced (or, with `drop`, removed). */
function replaceAt(v: unknown, path: Path, next: unknown, drop = false): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return next;
  if (Array.isArray(v) && typeof head === 'number') {
    const copy = [...v];
    if (rest.length === 0 && drop) copy.splice(head, 1);
    else copy[head] = replaceAt(v[head], rest, next, drop);
    return copy;
  }
  if (isRecord(v) && typeof head === 'string') {
    const copy: Record<string, unknown> = { ...v };
    if (rest.length === 0 && drop) delete copy[head];
    else Object.defineProperty(copy, head, { value: replaceAt(v[head], rest, next, drop), enumerable: true });
    return copy;
  }
  return v;
}

/** A value at an edge for its type: the kind a schema lets through and code may trip on. */
const edgeFor = (current: unknown): fc.Arbitrary<unknown> => {
  if (typeof current === 'number') {
    return fc.constantFrom<unknown>(0, -1, 1, 2 ** 31, 2 ** 53 - 1, 2 ** 53 + 2, 1e308, -1e308, 0.5, -0);
  }
  if (typeof current === 'boolean') return fc.constantFrom<unknown>('true', 1, null);
  if (Array.isArray(current)) {
    return fc.constantFrom<unknown>(
      [],
      [...current, ...current],
      current.length > 0 ? [current[0], current[0]] : [null],
    );
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EDGE_DATES, ...DATES) },
    { weight: 3, arbitrary: hostileText },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '0', 'null', 'last', 'Asia/Shanghai', 'UTC', 'utc') },
  );
};

/** Changes one position anywhere in a generated value: an edge value, junk, dropped, or huge. */
function mutateDeep(base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return base.chain((value) => {
    const all = positions(value);
    return fc
      .tuple(
        fc.constantFrom(...(all.length > 1 ? all.slice(1) : all)),
        fc.constantFrom('edge', 'edge', 'edge', 'junk', 'drop', 'extra', 'huge'),
        fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 })),
        junkValue,
        fc.integer({ min: 1000, max: 200 * 1024 }),
      )
      .chain(([path, op, key, junk, size]) => {
        const here = path.reduce<unknown>(
          (v, k) =>
            isRecord(v) && typeof k === 'string'
              ? v[k]
              : Array.isArray(v) && typeof k === 'number'
                ? v[k]
                : undefined,
          value,
        );
        if (op === 'edge') return edgeFor(here).map((edge) => replaceAt(value, path, edge));
        if (op === 'junk') return fc.constant(replaceAt(value, path, junk));
        if (op === 'drop' && path.length > 0) return fc.constant(replaceAt(value, path, undefined, true));
        if (op === 'huge') return fc.constant(replaceAt(value, path, 'x'.repeat(size)));
        if (isRecord(here)) return fc.constant(replaceAt(value, [...path, key], junk));
        return fc.constant(replaceAt(value, path, junk));
      });
  });
}

/** A JSON body for a request-body schema, serialised, sometimes with a duplicated key. */
function shapedBody(schema: Schema | undefined, ctx: ArbContext): fc.Arbitrary<string> {
  const value =
    schema === undefined
      ? fc.oneof(fc.constant({}), junkValue)
      : fc.oneof(
          // Valid as the schema says, so the request reaches the policy and the service.
          { weight: 3, arbitrary: valueArb(schema, '', { ...ctx, junk: 0 }) },
          { weight: 2, arbitrary: valueArb(schema, '', { ...ctx, junk: 0, minimal: true }) },
          // One position, at any depth, set to an edge value or junk, dropped, added or made huge.
          { weight: 4, arbitrary: mutateDeep(valueArb(schema, '', { ...ctx, junk: 0 })) },
          // Wrong values anywhere.
          { weight: 1, arbitrary: mutateDeep(valueArb(schema, '', ctx)) },
        );
  return fc.tuple(value, fc.nat({ max: 19 })).map(([v, roll]) => {
    const text = JSON.stringify(v) ?? 'null';
    if (roll === 0 && text.startsWith('{"')) return `{"__proto__":{"role":"office"},${text.slice(1)}`;
    if (roll === 1 && text.startsWith('{"')) return text.replace(/^\{("[^"]*"):/, '{$1:null,$1:');
    return text;
  });
}

const MALFORMED_JSON = [
  '',
  '{',
  '}',
  '{"a":}',
  '{"a":1,}',
  "{'a':1}",
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '{"a":1}{"b":2}',
  '{"a":1} trailing',
  '\uFEFF{}',
  '{"a":"\\ud800"}',
  '{"a":"\\x41"}',
  '{"a":01}',
  '{"a":1e99999}',
  '[1,2',
  'null',
  'true',
  '0',
  '"text"',
  '[]',
  '[{}]',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '/* comment */ {}',
];

/** Bodies that are not well-formed JSON, or not JSON at all. */
const wildBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MALFORMED_JSON) },
  { weight: 3, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 2, arbitrary: fc.json().map((j) => j.slice(0, Math.max(1, j.length - 1))) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 120_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 40_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  },
  { weight: 1, arbitrary: hugeString.map((s) => JSON.stringify({ title: s, name: s })) },
  { weight: 1, arbitrary: hugeString },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'a=1&b=2',
      'title=%E4%B8%AD&title=x',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
      '<?xml version="1.0"?><a/>',
      '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    ),
  },
);

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json;charset=UTF-16',
  'APPLICATION/JSON',
  'application/json, text/plain',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'text/json',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/octet-stream',
  'application/xml',
  '*/*',
  ';',
  'application/json; boundary=',
  'application/jsonx',
  'application/json; charset="',
];

const contentType = fc.oneof(
  { weight: 24, arbitrary: fc.constant<string | undefined>('application/json') },
  { weight: 2, arbitrary: fc.constant<string | undefined>(undefined) },
  { weight: 4, arbitrary: fc.constantFrom<string | undefined>(...CONTENT_TYPES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')) },
);

/** Header values a client can send: printable Latin-1, no CR/LF/NUL. */
const headerValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
      maxLength: 40,
    }),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1024, max: 8 * 1024 }).map((n) => 'h'.repeat(n)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'null', '../', '%00', '*', 'gzip, deflate, br', 'bytes=0-1,2-3'),
  },
);

const HEADER_NAMES = [
  'x-request-id',
  'accept',
  'accept-language',
  'accept-encoding',
  'cookie',
  'origin',
  'referer',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'user-agent',
  'if-none-match',
  'if-modified-since',
  'range',
  'x-http-method-override',
  'x-amzn-trace-id',
  'x-csrf-token',
  'forwarded',
];

const extraHeaders = fc.dictionary(
  fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.stringMatching(/^x-[a-z0-9-]{1,20}$/)),
  fc.oneof(
    { weight: 3, arbitrary: headerValue },
    {
      weight: 1,
      arbitrary: fc.constantFrom('a'.repeat(255), 'ok-id_1=', 'duban_session=junk; csrf=x', 'session='),
    },
  ),
  { maxKeys: 4 },
);

const claimsArb = (fx: Fixture) =>
  fc.record(
    {
      sub: fc.oneof(fc.constantFrom('office-1', 'u-1'), anyString, junkValue),
      role: fc.oneof(fc.constantFrom('office', 'leader', 'unit'), anyString, junkValue),
      unitId: fc.oneof(
        fc.constantFrom(...(fx.ids.unitId ?? ['village'])),
        anyString,
        longString(4000),
        junkValue,
      ),
      exp: fc.oneof(
        fc.constant(Math.floor(Date.now() / 1000) + 3600),
        fc.constantFrom<unknown>(
          0,
          -1,
          1e300,
          '9999999999',
          null,
          2 ** 53,
          Math.floor(Date.now() / 1000) - 10,
        ),
      ),
      nbf: fc.constantFrom<unknown>(Math.floor(Date.now() / 1000) + 86400, 'x', 0),
      iat: fc.constantFrom<unknown>(Math.floor(Date.now() / 1000), 'x', -1e300),
    },
    { requiredKeys: ['exp'] },
  );

function authArb(fx: Fixture, opts: { officeWeight: number }): fc.Arbitrary<Auth> {
  const caller = (...callers: Caller[]) =>
    fc.constantFrom(...callers).map((c): Auth => ({ kind: 'caller', caller: c }));
  const arbs: fc.WeightedArbitrary<Auth>[] = [
    { weight: 12, arbitrary: caller('leader', 'own', 'parent', 'other') },
    { weight: 3, arbitrary: caller('deactivated', 'expired', 'forged', 'algNone', 'hs512') },
    { weight: 1, arbitrary: fc.constant<Auth>({ kind: 'none' }) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          headerValue,
          fc.constantFrom(
            'Bearer',
            'Bearer ',
            'Basic YWRtaW46YWRtaW4=',
            'Bearer a.b.c',
            'Bearer ....',
            'Bearer null',
          ),
          anyString.map((s) => `Bearer ${s.replace(/[^\x21-\x7e]/g, '')}`),
        )
        .map((header): Auth => ({ kind: 'raw', header })),
    },
    { weight: 1, arbitrary: claimsArb(fx).map((claims): Auth => ({ kind: 'claims', claims })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...CALLERS),
          fc.constantFrom('bearer ', 'BEARER ', 'Bearer  ', 'Bearer\t', ' Bearer ', 'Token ', ''),
          fc.constantFrom('', ' ', ' x', '.', '=', ',Bearer x'),
        )
        .map(([c, prefix, suffix]): Auth => ({ kind: 'shaped', caller: c, prefix, suffix })),
    },
  ];
  if (opts.officeWeight > 0) arbs.push({ weight: opts.officeWeight, arbitrary: caller('office') });
  return fc.oneof(...arbs);
}

/** A cursor: real, real with one value changed, or forged. */
function cursorArb(fx: Fixture): fc.Arbitrary<string> {
  const real = fx.cursors.length > 0 ? fx.cursors : [{ pk: 'UNIT#x', sk: 'UNIT' }];
  const mutated = fc
    .tuple(
      fc.constantFrom(...real),
      fc.nat(),
      fc.oneof(
        fc.constantFrom(
          '',
          ' ',
          '#',
          'UNIT#other',
          'PLAN#',
          '~',
          '\u0000',
          'x'.repeat(1024),
          '中'.repeat(1024),
          '😀'.repeat(600),
        ),
        anyString,
      ),
    )
    .map(([cursor, pick, value]) => {
      const keys = Object.keys(cursor);
      const key = keys[pick % Math.max(1, keys.length)] ?? 'pk';
      return b64url(JSON.stringify({ ...cursor, [key]: value }));
    });
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...real).map((c) => b64url(JSON.stringify(c))) },
    { weight: 5, arbitrary: mutated },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => b64url(JSON.stringify(v) ?? 'null')) },
    { weight: 2, arbitrary: anyString },
  );
}

function paramArb(p: Param, ctx: ArbContext): fc.Arbitrary<string> {
  const { fx } = ctx;
  const known = idFor(fx, p.name);
  const schemaValue = validArb(resolve(p.schema, fx), p.name, { ...ctx, junk: 0 }, 0).map((v) => String(v));
  const options: { weight: number; arbitrary: fc.Arbitrary<string> }[] = [
    { weight: 3, arbitrary: schemaValue.map(encode) },
    { weight: 2, arbitrary: fc.constantFrom(...fx.allIds) },
    { weight: 2, arbitrary: junkSegment },
  ];
  if (known !== undefined) options.push({ weight: ctx.realIds ?? 8, arbitrary: known });
  if (p.name === 'cursor') options.push({ weight: 8, arbitrary: cursorArb(fx).map(encode) });
  if (p.name === 'limit')
    options.push({ weight: 2, arbitrary: fc.constantFrom('0', '-1', '1.5', '1e2', '101', '', 'abc', '١') });
  return fc.oneof(...options);
}

function queryArb(route: Route | undefined, ctx: ArbContext): fc.Arbitrary<string> {
  const params = route?.params.filter((p) => p.in === 'query') ?? [];
  const named: fc.Arbitrary<[string, string]>[] = params.map((p) =>
    paramArb(p, ctx).map((v): [string, string] => [p.name, v]),
  );
  const stray = fc.tuple(
    fc.oneof(
      fc.constantFrom('limit', 'cursor', 'unitId', 'planId', 'role', '__proto__', 'a[b]', 'x'),
      fc.webSegment(),
    ),
    fc.oneof(junkSegment, fc.constant('')),
  );
  const pair: fc.Arbitrary<[string, string]> =
    named.length > 0
      ? fc.oneof({ weight: 4, arbitrary: fc.oneof(...named) }, { weight: 1, arbitrary: stray })
      : stray;
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    {
      weight: 6,
      arbitrary: fc
        .array(pair, { maxLength: 5 })
        .map((pairs) =>
          pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${encode(k)}=${v}`).join('&')}`,
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '?',
        '?&&',
        '?=',
        '?a',
        '?%',
        '?a=%zz',
        '?limit=1&limit=2',
        `?x=${'q'.repeat(8000)}`,
      ),
    },
  );
}

function pathFor(route: Route, given: ArbContext): fc.Arbitrary<string> {
  // The callers' units stay active (their tokens must keep working): the office deactivates spares.
  const ctx = route.template.endsWith('/deactivate')
    ? { ...given, fx: { ...given.fx, ...given.fx.spare } }
    : given;
  const names = [...route.template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
  const arbs = names.map((name) => {
    const p = route.params.find((x) => x.in === 'path' && x.name === name) ?? {
      name,
      in: 'path',
      schema: {},
    };
    return paramArb(p, ctx);
  });
  return fc.tuple(...arbs).map((values) => {
    let i = 0;
    return route.template.replace(/\{\w+\}/g, () => values[i++] ?? '');
  });
}

/** Ways to mangle a path: extra or missing segments, dot segments, case, slashes, a random path. */
function manglePath(path: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      path,
      fc.constantFrom(
        'keep',
        'slash',
        'double',
        'dots',
        'upper',
        'append',
        'drop',
        'replace',
        'encoded',
        'prefix',
      ),
      junkSegment,
      fc.nat(),
    )
    .map(([p, op, seg, pick]) => {
      const parts = p.split('/');
      const at = 1 + (pick % Math.max(1, parts.length - 1));
      switch (op) {
        case 'slash':
          return `${p}/`;
        case 'double':
          return p.replace('/', '//');
        case 'dots':
          return `${p}/../${seg}`;
        case 'upper':
          return p.toUpperCase();
        case 'append':
          return `${p}/${seg}`;
        case 'drop':
          return parts.filter((_, i) => i !== at).join('/') || '/';
        case 'replace':
          return parts.map((x, i) => (i === at ? seg : x)).join('/');
        case 'encoded':
          return p.replace(/\//g, (m, offset: number) => (offset === 0 ? m : '%2F'));
        case 'prefix':
          return `/v1/${seg}${p}`;
        default:
          return p;
      }
    });
}

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'get',
  'post',
  'PROPFIND',
  'FOO',
];

interface RequestParts {
  label: string;
  method: string;
  path: string;
  query: string;
  auth: Auth;
  headers: Record<string, string>;
  contentType: string | undefined;
  body: string | Uint8Array | undefined;
}

function assemble(p: RequestParts): FuzzRequest {
  const headers: Record<string, string> = { ...p.headers };
  if (p.contentType !== undefined) headers['content-type'] = p.contentType;
  const noBody = ['GET', 'HEAD'].includes(p.method.toUpperCase());
  return printable({
    label: p.label,
    method: p.method,
    path: (p.path.startsWith('/') ? p.path : `/${p.path}`) + p.query,
    auth: p.auth,
    headers,
    body: noBody ? undefined : p.body,
  });
}

/** (1) Requests to the route table, with bodies shaped like the route's schema. */
function shapedRequest(fx: Fixture): fc.Arbitrary<FuzzRequest> {
  const ctx: ArbContext = { fx, junk: 3, realIds: 20 };
  return fc.oneof(
    ...fx.routes.map((route) =>
      fc
        .record({
          method: fc.oneof(
            { weight: 9, arbitrary: fc.constant(route.method) },
            { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
          ),
          path: pathFor(route, ctx),
          query: queryArb(route, ctx),
          auth: authArb(fx, { officeWeight: 12 }),
          headers: extraHeaders,
          contentType,
          body: fc.oneof(
            { weight: 8, arbitrary: shapedBody(route.body, ctx) },
            {
              weight: 1,
              arbitrary: shapedBody(fx.routes.find((r) => r.body !== undefined && r !== route)?.body, ctx),
            },
            { weight: 1, arbitrary: fc.constant(undefined) },
          ),
        })
        .map((r) => assemble({ ...r, label: `${route.method} ${route.template}` })),
    ),
  );
}

/** (2) Any method, mangled paths (API, pages, random), malformed and non-JSON bodies. */
function wildRequest(fx: Fixture): fc.Arbitrary<FuzzRequest> {
  const ctx: ArbContext = { fx, junk: 6 };
  const apiPath = fc.oneof(
    ...fx.routes.map((route) =>
      fc
        .tuple(manglePath(pathFor(route, ctx)), queryArb(route, ctx))
        .map(([p, q]) => ({ path: p + q, label: route.template })),
    ),
  );
  const pagePath = fc
    .tuple(
      manglePath(fc.constantFrom('/', '/health', '/openapi.json', '/docs', '/v1', ...fx.pages)),
      queryArb(undefined, ctx),
    )
    .map(([p, q]) => ({ path: p + q, label: 'page' }));
  const randomPath = fc
    .webPath()
    .map((p) => ({ path: p.startsWith('/') ? p : `/${p}`, label: 'random path' }));
  return fc
    .record({
      target: fc.oneof(
        { weight: 6, arbitrary: apiPath },
        { weight: 2, arbitrary: pagePath },
        { weight: 1, arbitrary: randomPath },
      ),
      method: fc.constantFrom(...METHODS),
      auth: authArb(fx, { officeWeight: 4 }),
      headers: extraHeaders,
      contentType,
      body: fc.oneof(
        { weight: 5, arbitrary: wildBody },
        { weight: 2, arbitrary: shapedBody(undefined, ctx) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
    })
    .map(({ target, ...r }) =>
      assemble({ ...r, path: target.path, query: '', label: `wild ${target.label}` }),
    );
}

/** (3) Write routes by non-office callers, bodies mostly valid so the policy is what refuses. */
function refusedWriteRequest(fx: Fixture): fc.Arbitrary<FuzzRequest> {
  const ctx: ArbContext = { fx, junk: 1 };
  const writes = fx.routes.filter((r) => r.method !== 'GET');
  return fc.oneof(
    ...writes.map((route) =>
      fc
        .record({
          path: pathFor(route, ctx),
          query: fc.constant(''),
          auth: authArb(fx, { officeWeight: 0 }),
          headers: fc.constant({}),
          contentType: fc.constant<string | undefined>('application/json'),
          body: fc.oneof(
            {
              weight: 6,
              arbitrary: valueArb(route.body ?? { type: 'object' }, '', { fx, junk: 0 }).map(
                (v) => JSON.stringify(v) ?? '{}',
              ),
            },
            { weight: 3, arbitrary: shapedBody(route.body, ctx) },
            { weight: 1, arbitrary: fc.constant('{}') },
          ),
        })
        .map((r) => assemble({ ...r, method: route.method, label: `${route.method} ${route.template}` })),
    ),
  );
}

/** (4) The Authorization header itself, on every route. */
function authRequest(fx: Fixture): fc.Arbitrary<FuzzRequest> {
  const ctx: ArbContext = { fx, junk: 0 };
  return fc.oneof(
    ...fx.routes.map((route) =>
      fc
        .record({
          path: pathFor(route, ctx),
          query: fc.constant(''),
          auth: fc.oneof(
            claimsArb(fx).map((claims): Auth => ({ kind: 'claims', claims })),
            authArb(fx, { officeWeight: 0 }),
          ),
          headers: fc.constant({}),
          contentType: fc.constant<string | undefined>('application/json'),
          body: valueArb(route.body ?? { type: 'object' }, '', ctx).map((v) => JSON.stringify(v) ?? '{}'),
        })
        .map((r) =>
          assemble({ ...r, method: route.method, label: `auth ${route.method} ${route.template}` }),
        ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Sending and checking

// Linear-time patterns only: responses can be hundreds of KiB.
const STACK_FRAME = /\n\s+at\s|\((?:file:\/\/|node:)|\.(?:ts|tsx|js|mjs|cjs):\d+:\d+/;
const INTERNAL_NAMES =
  /\b(?:TypeError|ReferenceError|SyntaxError|RangeError|ValidationException|ConditionalCheckFailedException|TransactionCanceledException|ResourceNotFoundException|SerializationException|ZodError|node_modules|DynamoDBDocumentClient|ExclusiveStartKey|Maximum call stack)\b/;

function pathnameOf(path: string): string | undefined {
  try {
    return new URL(`http://localhost${path}`).pathname;
  } catch {
    return undefined;
  }
}

function isJsonRoute(path: string): boolean {
  const pathname = pathnameOf(path);
  if (pathname === undefined) return false;
  return (
    pathname === '/v1' ||
    pathname.startsWith('/v1/') ||
    pathname === '/health' ||
    pathname === '/openapi.json'
  );
}

const isWrite = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());

function officeLike(auth: Auth): boolean {
  if (auth.kind === 'caller' || auth.kind === 'shaped') return auth.caller === 'office';
  if (auth.kind === 'claims') return auth.claims.role === 'office';
  return false;
}

interface Stats {
  sent: number;
  checkedForWrites: number;
  byStatus: Map<number, number>;
  slowest: { ms: number; what: string }[];
  failures: Map<string, string>;
  /** Statuses by property and caller, printed with FUZZ_PROGRESS=1. */
  byCaller: Map<string, Map<number, number>>;
}

function makeSender(fx: Fixture, stats: Stats) {
  /**
   * The tables as last scanned, and the count of write commands at that moment: while no write
   * command has run since, the scan still describes the tables and serves as the next "before".
   */
  let current: { snapshot: string; writes: number } | undefined;
  let refusedSinceSample = 0;
  const writeRoutes = fx.routes
    .filter((r) => isWrite(r.method))
    .map((r) => ({ method: r.method, pattern: new RegExp(`^${r.template.replace(/\{\w+\}/g, '[^/]+')}$`) }));
  const isWriteRoute = (method: string, path: string) => {
    const pathname = pathnameOf(path);
    return writeRoutes.some(
      (w) => w.method === method.toUpperCase() && pathname !== undefined && w.pattern.test(pathname),
    );
  };
  const tables = async () => {
    const writes = fx.writes.length;
    const snap = await snapshot(fx.api);
    current = { snapshot: snap, writes };
    return snap;
  };

  function authHeader(auth: Auth): string | undefined {
    switch (auth.kind) {
      case 'none':
        return undefined;
      case 'caller':
        return `Bearer ${fx.tokens[auth.caller]}`;
      case 'raw':
        return auth.header;
      case 'claims':
        return `Bearer ${hs256(auth.claims)}`;
      case 'shaped':
        return `${auth.prefix}${fx.tokens[auth.caller]}${auth.suffix}`;
    }
  }

  return async function send(r: FuzzRequest): Promise<void> {
    const headers = new Headers();
    for (const [k, v] of Object.entries(r.headers)) headers.set(k, v);
    const authorization = authHeader(r.auth);
    if (authorization !== undefined) headers.set('authorization', authorization);

    // Always scanned when refused: a write route called by anyone but the office. Otherwise one
    // refused request in SAMPLE_EVERY. The "before" scan is reused while no write has run.
    const mustCheck = isWriteRoute(r.method, r.path) && !officeLike(r.auth);
    const mayCheck = mustCheck || refusedSinceSample >= SAMPLE_EVERY - 1;
    const before =
      current !== undefined && current.writes === fx.writes.length
        ? current.snapshot
        : mayCheck
          ? await tables()
          : undefined;
    const writesBefore = fx.writes.length;

    const errorsBefore = fx.api.errors.length;
    const started = performance.now();
    const res = await fx.api.app.request(r.path, { method: r.method, headers, body: r.body });
    const text = await res.text();
    const ms = performance.now() - started;
    timing.requestMs += ms;
    stats.sent++;
    if (PROGRESS && stats.sent % 250 === 0) {
      console.info(
        `fuzz: ${stats.sent} sent, ${((performance.now() - t0) / 1000).toFixed(1)} s ${JSON.stringify(timing)}`,
      );
    }
    stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
    const who = `${r.label.split(' ')[0]} ${r.auth.kind === 'caller' ? r.auth.caller : r.auth.kind}`;
    const row = stats.byCaller.get(who) ?? new Map<number, number>();
    row.set(res.status, (row.get(res.status) ?? 0) + 1);
    stats.byCaller.set(who, row);
    if (stats.slowest.length < 5 || ms > (stats.slowest[stats.slowest.length - 1]?.ms ?? 0)) {
      stats.slowest.push({ ms, what: `${r.method} ${clip(r.path, 120)} → ${res.status} [${r.label}]` });
      stats.slowest.sort((a, b) => b.ms - a.ms);
      stats.slowest.length = Math.min(stats.slowest.length, 5);
    }

    const problems: { kind: string; detail: string }[] = [];
    if (res.status >= 500) problems.push({ kind: `status ${res.status}`, detail: '' });
    const logged = fx.api.errors.slice(errorsBefore);
    if (logged.length > 0) {
      const first = logged[0];
      const err = isRecord(first) && isRecord(first.error) ? first.error : first;
      problems.push({ kind: 'logged an unhandled error', detail: clip(JSON.stringify(err), 1500) });
    }
    if (res.status >= 400 && isJsonRoute(r.path) && r.method.toUpperCase() !== 'HEAD') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const error = isRecord(parsed) ? parsed.error : undefined;
      const ok =
        (res.headers.get('content-type') ?? '').includes('application/json') &&
        isRecord(error) &&
        typeof error.code === 'string' &&
        error.code.length > 0 &&
        typeof error.message === 'string' &&
        error.message.trim().length > 0;
      if (!ok) problems.push({ kind: 'error body is not {error: {code, message}}', detail: '' });
    }
    const sentText = `${r.path} ${typeof r.body === 'string' ? r.body : ''} ${JSON.stringify(r.headers)}`;
    const frame = STACK_FRAME.exec(text);
    const internal = INTERNAL_NAMES.exec(text);
    if (frame !== null && !sentText.includes(frame[0]))
      problems.push({ kind: 'stack frame in response', detail: frame[0] });
    if (internal !== null && !sentText.includes(internal[0])) {
      problems.push({ kind: 'internal error name in response', detail: internal[0] });
    }
    const wrote = fx.writes.slice(writesBefore);
    if (res.status >= 400 && wrote.length > 0) {
      problems.push({ kind: `refused (${res.status}) but ran write commands`, detail: wrote.join(', ') });
    }
    if (res.status >= 400 && (mustCheck || ++refusedSinceSample >= SAMPLE_EVERY) && before !== undefined) {
      if (!mustCheck) refusedSinceSample = 0;
      const after = await tables();
      stats.checkedForWrites++;
      if (after !== before)
        problems.push({
          kind: `refused (${res.status}) but the tables changed`,
          detail: diff(before, after),
        });
    }
    if (problems.length === 0) return;

    const report = [
      problems.map((p) => `${p.kind}${p.detail ? `: ${p.detail}` : ''}`).join('\n'),
      describeRequest(r),
      `  → ${res.status} ${res.headers.get('content-type') ?? ''} ${clip(text, 800)}`,
    ].join('\n');
    if (SURVEY) {
      const signature = `${problems.map((p) => p.kind).join('+')} | ${r.label} | ${r.method.toUpperCase()} | ${res.status}`;
      if (!stats.failures.has(signature)) stats.failures.set(signature, report);
      return;
    }
    throw new Error(`fuzz invariant broken (seed ${SEED}):\n${report}`);
  };
}

// ---------------------------------------------------------------------------------------------
// The fixture

const SPARE_UNITS = ['spare-1', 'spare-2', 'spare-3'];
const CALLER_UNITS = ['county', 'town', 'village', 'other'];

const WRITE_COMMAND =
  /^(Put|Update|Delete|BatchWrite|TransactWrite|ExecuteStatement|BatchExecuteStatement|ExecuteTransaction)/;

async function buildFixture(): Promise<Fixture> {
  const api = await testApp({ now: new Date('2026-05-16T02:00:00Z') });
  // The document client shares this stack: every completed write command is recorded.
  const writes: string[] = [];
  api.table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const name = String(context.commandName ?? '');
      if (WRITE_COMMAND.test(name)) writes.push(name);
      return out;
    },
    { step: 'initialize', name: 'fuzzWriteSpy' },
  );
  const must = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    init: Parameters<Api['call']>[2],
    status: number,
  ): Promise<T> => {
    const res = await api.call<T>(method, path, init);
    if (res.status !== status) throw new Error(`fixture: ${method} ${path} → ${res.status} ${res.text}`);
    return res.body;
  };
  for (const body of [
    // Names a schema accepts and pages, exports and headers must survive (see HOSTILE_TEXT).
    { id: 'county', name: '县教育体育局\u202e', kind: 'bureau' },
    { id: 'town', name: '城关镇<b>&amp;"\'</b>', kind: 'township', parentId: 'county' },
    { id: 'other', name: '柳湾村=HYPERLINK("http://x","y")', kind: 'village', parentId: 'county' },
    ...SPARE_UNITS.map((id) => ({ id, name: `备用单位${id}`, kind: 'other', parentId: 'town' })),
  ]) {
    await must('POST', '/v1/units', { body }, 201);
  }
  // Names the API refuses now (issue 11, item 10), as data stored before it did: through the service.
  const fixtureNow = new Date('2026-05-16T02:00:00Z');
  await api.services.units.create(
    OFFICE,
    { id: 'village', name: '东街村\u0000\u0007', kind: 'village', parentId: 'town' },
    fixtureNow,
  );
  await api.services.units.create(
    OFFICE,
    { id: 'closed', name: '已撤并学校\udc00', kind: 'school', parentId: 'town' },
    fixtureNow,
  );
  const plan = await must<Plan>(
    'POST',
    '/v1/plans',
    { body: { title: '控辍保学', phases: [{ key: 'work', name: '整改', start: '2026-05-01' }] } },
    201,
  );
  const newTask = async (body: Record<string, unknown>) =>
    must<Task & { duties: Duty[] }>(
      'POST',
      `/v1/plans/${plan.id}/tasks`,
      { body: { title: '摸排', phaseKey: 'work', leadUnitId: 'village', dueAt: '2026-06-30', ...body } },
      201,
    );
  const pastDue = (await newTask({ dueAt: '2026-05-10' })).duties[0];
  const open = await newTask({ coUnitIds: ['other', 'town'] });
  const submitted = (await newTask({})).duties[0];
  const signOff = (await newTask({ signOffLevels: 1 })).duties[0];
  const weekly = await newTask({
    dueAt: undefined,
    kind: 'report',
    recurrence: { freq: 'weekly', weekdays: [5], time: '12:00', count: 3 },
  });
  if (pastDue === undefined || submitted === undefined || signOff === undefined)
    throw new Error('fixture: no duties');
  for (const d of [submitted, signOff]) {
    await must('POST', `/v1/duties/${d.id}/submit`, { as: unitUser('village'), body: { note: '完成' } }, 200);
  }
  const extending = (await newTask({})).duties[0];
  if (extending === undefined) throw new Error('fixture: no duty to extend');
  const extension = await must<{ id: string }>(
    'POST',
    `/v1/duties/${extending.id}/extension-requests`,
    { as: unitUser('village'), body: { reason: '需要时间', progress: '过半', proposedDueAt: '2026-07-20' } },
    201,
  );
  await must('POST', '/v1/sweeps', { body: { planId: plan.id } }, 200);
  const notices = (await must<{ items: Notice[] }>('GET', '/v1/notices?unitId=village', {}, 200)).items;
  const finding = await must<{ id?: string }>(
    'POST',
    `/v1/plans/${plan.id}/findings`,
    {
      body: {
        title: '发现问题',
        detail: '不一致',
        unitIds: ['village'],
        dueAt: '2026-06-30',
        source: 'county-check',
      },
    },
    201,
  );
  const report = await api.call<{ id?: string }>('POST', `/v1/plans/${plan.id}/reports`, {
    body: { period: 'week' },
  });
  // A second plan whose title is hostile text (a lone surrogate, a NUL), with an overdue duty and
  // a report: the report's downloads carry the title in a header and a file name.
  const oddPlan = await api.services.plans.create(
    OFFICE,
    {
      title: '督办\ud83d方案\u0000',
      timezone: 'Asia/Shanghai',
      phases: [{ key: 'work', name: '整改\u202e', start: '2026-05-01' }],
      escalation: DEFAULT_ESCALATION_POLICY,
    },
    fixtureNow,
  );
  await api.services.plans.createTask(
    OFFICE,
    oddPlan.id,
    {
      title: '摸排\udc00<i>',
      phaseKey: 'work',
      leadUnitId: 'village',
      coUnitIds: [],
      dueAt: '2026-05-10',
      kind: 'task',
      signOffLevels: 0,
    },
    fixtureNow,
  );
  const oddReport = await api.call<{ id?: string }>('POST', `/v1/plans/${oddPlan.id}/reports`, {
    body: { period: 'week' },
  });
  await must('PUT', '/v1/calendar/2027', { body: { holidays: ['2027-01-01'], workdays: [] } }, 200);
  await must('POST', '/v1/units/closed/deactivate', {}, 200);

  const docRes = await api.call('GET', '/openapi.json', { as: null });
  const { routes, schemas } = readRoutes(docRes.body);

  const dutyIds = [pastDue, submitted, signOff, extending, ...open.duties, ...weekly.duties].map((d) => d.id);
  const ids: Record<string, string[]> = {
    unitId: ['county', 'town', 'village', 'other', 'closed', 'nowhere'],
    parentId: ['county', 'town', 'village', 'closed'],
    leadUnitId: ['village', 'other', 'town', 'closed', 'nowhere'],
    coUnitId: ['village', 'other', 'town', 'county'],
    planId: [plan.id, plan.id, oddPlan.id, 'no-such-plan'],
    dutyId: dutyIds,
    openDutyId: dutyIds,
    requestId: [extension.id, 'no-such-request'],
    fileName: ['f-0000000000aaaaaaaaaa-roster.pdf', 'no-such-file.pdf'],
    noticeId: notices.map((n) => n.id),
    reportId: [report.body.id, oddReport.body.id, 'rpt-none'].filter(
      (id): id is string => typeof id === 'string',
    ),
    findingId: typeof finding.id === 'string' ? [finding.id] : ['no-finding'],
    key: ['work', 'nope'],
    phaseKey: ['work', 'nope'],
    year: ['2026', '2027', '2032', '1999', '2101'],
    level: ['remind', 'overdue', 'escalate', 'accountability'],
    actor: ['office-1', 'village-clerk', 'leader-1'],
    format: ['json', 'csv', 'xlsx'],
    taskId: [open.id, weekly.id, 'no-such-task'],
    caseId: ['no-such-case'],
    period: ['2026-05', '2026-spring', 'once', '2026-13'],
    channelId: ['no-such-channel', 'village-robot'],
    semesterId: ['no-such-semester', '2026-autumn'],
    careFileId: ['no-such-care-file'],
  };
  const allIds = [...new Set(Object.values(ids).flat())];

  // Real cursors from every list route, asked for one item at a time.
  const cursors: Record<string, string>[] = [];
  for (const path of [
    '/v1/units',
    '/v1/plans',
    `/v1/plans/${plan.id}/tasks`,
    `/v1/plans/${plan.id}/duties`,
    `/v1/plans/${plan.id}/duties?unitId=village`,
    '/v1/units/village/duties',
    '/v1/notices?unitId=village',
    '/v1/notices',
    '/v1/audit',
    `/v1/audit?planId=${plan.id}`,
    `/v1/duties/${submitted.id}/history`,
    `/v1/plans/${plan.id}/reports`,
  ]) {
    const res = await api.call<{ nextCursor?: unknown }>(
      'GET',
      `${path}${path.includes('?') ? '&' : '?'}limit=1`,
    );
    const next = res.body?.nextCursor;
    if (typeof next !== 'string') continue;
    const decoded: unknown = JSON.parse(Buffer.from(next, 'base64url').toString('utf8'));
    if (isRecord(decoded)) {
      cursors.push(Object.fromEntries(Object.entries(decoded).map(([k, v]) => [k, String(v)])));
    }
  }

  // Page paths linked from the public pages.
  const pages = new Set<string>();
  for (const start of ['/', '/login', '/sign-in']) {
    const res = await api.app.request(start);
    const html = await res.text();
    for (const m of html.matchAll(/(?:href|action)="(\/[^"#]*)"/g))
      if (m[1] && !m[1].startsWith('//')) pages.add(m[1]);
    const location = res.headers.get('location');
    if (location?.startsWith('/')) pages.add(location.split('?')[0] ?? location);
  }

  const sign = (p: Principal) => issueHs256Token(TEST_SECRET, p);
  const now = Math.floor(Date.now() / 1000);
  const tokens: Record<Caller, string> = {
    office: await sign(OFFICE),
    leader: await sign(LEADER),
    own: await sign(unitUser('village')),
    parent: await sign(unitUser('town')),
    other: await sign(unitUser('other')),
    deactivated: await sign(unitUser('closed')),
    expired: await issueHs256Token(TEST_SECRET, OFFICE, {
      now: new Date(Date.now() - 7200_000),
      ttlSeconds: 3600,
    }),
    forged: hs256(
      { sub: 'office-1', role: 'office', iat: now, exp: now + 3600 },
      'not-the-secret-not-the-secret-not-the',
    ),
    algNone: `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: 'office-1', role: 'office', exp: now + 3600 }))}.`,
    hs512: hs256({ sub: 'office-1', role: 'office', iat: now, exp: now + 3600 }, TEST_SECRET, 'HS512'),
  };

  const spare = {
    ids: { ...ids, unitId: [...SPARE_UNITS, 'closed', 'nowhere'] },
    allIds: allIds.filter((id) => !CALLER_UNITS.includes(id)),
  };
  return { api, routes, schemas, ids, allIds, cursors, pages: [...pages], tokens, writes, spare };
}

// ---------------------------------------------------------------------------------------------

describe('fuzz: generated requests across every route', () => {
  let fx: Fixture;
  const stats: Stats = {
    sent: 0,
    checkedForWrites: 0,
    byStatus: new Map(),
    slowest: [],
    failures: new Map(),
    byCaller: new Map(),
  };
  let send: (r: FuzzRequest) => Promise<void>;
  const started = performance.now();

  beforeAll(async () => {
    fx = await buildFixture();
    send = makeSender(fx, stats);
    console.info(
      `fuzz: seed ${SEED} (FUZZ_SEED to change), scale ${SCALE}; ${fx.routes.length} routes, ` +
        `${fx.cursors.length} real cursors, ${fx.pages.length} page paths`,
    );
  }, 120_000);

  afterAll(() => {
    if (PROGRESS) {
      for (const [who, row] of [...stats.byCaller.entries()].sort()) {
        const cells = [...row.entries()].sort((a, b) => a[0] - b[0]).map(([st, n]) => `${st}×${n}`);
        console.info(`fuzz: ${who.padEnd(22)} ${cells.join(' ')}`);
      }
    }
    const statuses = [...stats.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`);
    console.info(
      `fuzz: ${stats.sent} requests in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
        `${stats.checkedForWrites} refused requests checked for writes; statuses ${statuses.join(' ')}\n` +
        `slowest:\n${stats.slowest.map((s) => `  ${s.ms.toFixed(0)} ms  ${s.what}`).join('\n')}`,
    );
  });

  const property = (arb: (fx: Fixture) => fc.Arbitrary<FuzzRequest>, numRuns: number) => async () => {
    await fc.assert(
      fc.asyncProperty(arb(fx), (r) => send(r)),
      { numRuns, seed: SEED },
    );
  };

  it('route table: the fixture covers every route', () => {
    expect(fx.routes.length).toBeGreaterThan(20);
    const named = new Set(
      fx.routes.flatMap((r) => r.params.filter((p) => p.in === 'path').map((p) => p.name)),
    );
    expect(
      [...named].filter((n) => fx.ids[n] === undefined),
      'path parameters without fixture ids',
    ).toEqual([]);
  });

  it(`schema-shaped requests to every route (${RUNS_SHAPED})`, property(shapedRequest, RUNS_SHAPED), 600_000);
  it(`wild methods, paths and bodies (${RUNS_WILD})`, property(wildRequest, RUNS_WILD), 600_000);
  it(
    `writes by callers that are not the office (${RUNS_REFUSED_WRITES}, each checked for writes)`,
    property(refusedWriteRequest, RUNS_REFUSED_WRITES),
    600_000,
  );
  it(`tokens and Authorization headers (${RUNS_AUTH})`, property(authRequest, RUNS_AUTH), 600_000);

  it('sent at least 10,000 requests, and broke no invariant', () => {
    if (stats.failures.size > 0) {
      console.error(
        `fuzz: ${stats.failures.size} distinct failures\n\n${[...stats.failures.values()].join('\n\n')}`,
      );
    }
    expect([...stats.failures.keys()]).toEqual([]);
    expect(stats.sent).toBeGreaterThanOrEqual(Math.floor(10_000 * Math.min(1, SCALE)));
  });
});
