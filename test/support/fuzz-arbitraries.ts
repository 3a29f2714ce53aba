import fc from 'fast-check';

/**
 * fast-check generators for hostile input: strings a parser or a database might trip on,
 * values of every JSON and binary type, prototype-pollution keys, deep nesting, and payloads
 * that are nearly valid (the right keys, some wrong values) so the fuzzing reaches past the
 * first check as well as stopping at it.
 */

/** Keys that would pollute a prototype if an object were merged carelessly. */
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'valueOf', 'hasOwnProperty'];

const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\udbff\udfff',
  '\u202eevil\u202c',
  '\u200f\u05e9\u05dc\u05d5\u05dd',
  '\ufeff',
  '\uffff',
  '\u0301e',
  'e\u0301',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈'.repeat(50),
  '\r\n\t\v\f',
  '%00',
  '%',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "'; DROP TABLE users; --",
  '${7*7}{{7*7}}',
  'admin',
  'staff',
  'client',
  'group:admin',
  'group:staff',
  'group:client',
  'group:',
  'user:',
  'user:admin',
  ' ADMIN ',
  'Admin',
  'null',
  'undefined',
  'NaN',
  '0',
  '-1',
  ...POLLUTION_KEYS,
  'user:__proto__',
  'group:__proto__',
  'group:constructor',
];

/** A string of one of many hostile kinds, at most ~120k UTF-16 units (well under the 1 MiB frame limit). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  // Lone surrogates and other code units a UTF-8 encoder cannot encode as they are.
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 30 }).map((units) => String.fromCharCode(...units)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('x', 'é', '€', '😀', '\ud800', 'a\u0000', '👩‍👩‍👧'), fc.integer({ min: 200, max: 30_000 }))
      .map(([unit, count]) => unit.repeat(count)),
  },
);

/** Percent-encodes every byte of the UTF-8 form, so any string (lone surrogates too) can be a path segment or a query value. */
export const encodeSegment = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 1.5, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 31, -(2 ** 53), 1e308, 5e-324),
  fc.integer(),
  fc.double(),
);

const binary = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => bytes.slice().buffer),
  fc.uint8Array({ maxLength: 64 }),
  fc.constant(Buffer.alloc(0)),
);

/** An object whose keys may be `__proto__` & co. as own properties, as JSON.parse would produce them. */
export function objectWith(entries: Array<[string, unknown]>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

const key = fc.oneof(fc.constantFrom(...POLLUTION_KEYS, 'polluted', 'admin', 'role', 'isAdmin'), fc.string({ maxLength: 12 }));

const pollution = fc.constantFrom(
  JSON.parse('{"__proto__": {"polluted": "yes", "isAdmin": true}}') as unknown,
  JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}') as unknown,
  JSON.parse('{"__proto__": {"__proto__": {"polluted": "yes"}}}') as unknown,
  JSON.parse('{"prototype": {"polluted": "yes"}, "role": "admin"}') as unknown,
);

/** Arrays or objects nested hundreds to a couple of thousand levels deep. */
const deep = fc
  .tuple(fc.integer({ min: 50, max: 2000 }), fc.boolean())
  .map(([depth, arrays]) => JSON.parse(arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown);

/** Any value a client could put on the wire, of any type and shape. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: hostileString },
    { weight: 2, arbitrary: hostileNumber },
    { weight: 1, arbitrary: fc.constantFrom(true, false, null, undefined) },
    { weight: 1, arbitrary: binary },
    { weight: 1, arbitrary: pollution },
    { weight: 1, arbitrary: tie('array') },
    { weight: 1, arbitrary: tie('object') },
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(objectWith),
})).value.chain((value) => fc.oneof({ weight: 20, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: deep }));

/**
 * An object with the given fields, each either a plausible value or a hostile one, sometimes
 * missing, sometimes with hostile extra keys: most land near the schema's edge.
 */
export function nearly(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(fields).map(([name, plausible]) =>
    fc.oneof(
      { weight: 12, arbitrary: plausible.map((v): [string, unknown] | null => [name, v]) },
      { weight: 1, arbitrary: hostileValue.map((v): [string, unknown] | null => [name, v]) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
  );
  const extras = fc.oneof(
    { weight: 4, arbitrary: fc.constant([] as Array<[string, unknown]>) },
    { weight: 1, arbitrary: fc.array(fc.tuple(key, hostileValue), { maxLength: 3 }) },
  );
  return fc
    .tuple(fc.tuple(...entries), extras)
    .map(([known, extra]) => objectWith([...extra, ...known.filter((e): e is [string, unknown] => e !== null)]));
}

/** Mostly `nearly(fields)`, sometimes anything at all. */
export function payloadFor(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: nearly(fields) }, { weight: 1, arbitrary: hostileValue });
}

/** A date or time as search's before:/after:/on: might get it: valid, nearly valid, or not a date at all. */
const searchDate = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('2026-01-31', '2026-02-29', '2026-02-30', '0000-00-00', '9999-12-31', '2026-1-1', '2026-01-31T12:00:00Z', '2026-01-31T99:99', 'yesterday', '') },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: hostileString },
);

const searchWord = fc.constantFrom('deploy', 'é', 'ü', '上海', 'a', 'ab', '"release notes"', '"unclosed', '"', '""', '%', '_', '\\', '*', 'NEAR', 'AND', 'OR', '-x', '^');
const searchFilter = fc.oneof(
  fc.constantFrom('from:', 'in:', 'on:', 'before:', 'after:', 'in:staff', 'in:#nowhere', 'in:@nobody', 'in:team:staff:x', 'from:nobody', 'from:fuzz-staff', 'FROM:admin'),
  fc.tuple(fc.constantFrom('before', 'after', 'on'), fc.constantFrom('2026-01-31', '2026-02-30', '2026-01-31T12:00:00Z', 'yesterday')).map(([name, date]) => `${name}:${date}`),
);
const words = (part: fc.Arbitrary<string>) => fc.array(part, { maxLength: 10 }).map((parts) => parts.join(' '));

/** search's `q`: words, quotes (closed or not), filters, and now and then hostile text between them. */
export const searchQueryText: fc.Arbitrary<string> = words(
  fc.oneof(
    { weight: 6, arbitrary: searchWord },
    { weight: 3, arbitrary: searchFilter },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('before', 'after', 'on'), searchDate).map(([name, date]) => `${name}:${date}`) },
    { weight: 1, arbitrary: hostileString },
  ),
);

/** An optional field: mostly absent or valid, so most payloads reach the search itself. */
const optional = (valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<unknown> = hostileValue) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 4, arbitrary: valid }, { weight: 1, arbitrary: invalid });

/** search's fields: the `search` event and GET /api/search share them. */
export const searchFields = {
  q: searchQueryText,
  in: optional(fc.constantFrom('staff', 'group:client', '#fuzz-room', '@fuzz-staff', 'user:nobody', 'team:staff:fuzz-client', 'channel:x'), hostileString),
  from: optional(fc.constantFrom('fuzz-staff', '@fuzz-client', 'nobody'), hostileString),
  before: optional(searchDate),
  after: optional(searchDate),
  on: optional(searchDate),
  limit: optional(fc.integer({ min: 1, max: 60 }), fc.constantFrom(0, -1, 1.5, 1e9, '5')),
  cursor: optional(fc.constantFrom('n1', 'n0', 'r0', 'r20', 'n', 'x1', 'n-1', 'r1e3', 'n999999999999999', 'n9999999999999999'), hostileString),
  order: optional(fc.constantFrom('newest', 'relevance'), fc.oneof(fc.constant('oldest'), hostileValue)),
  tz: optional(fc.constantFrom(0, 60, -300, 840, -840), fc.oneof(fc.constantFrom(841, 1.5, '60'), hostileValue)),
};

/**
 * A search payload: half near the schema's edge (payloadFor), half valid in every field, so the
 * fuzzing reaches the query language, `in:` and the cursors as often as the validation.
 */
export const searchPayload: fc.Arbitrary<unknown> = fc.oneof(
  payloadFor(searchFields),
  fc.record(
    {
      q: words(fc.oneof({ weight: 2, arbitrary: searchWord }, { weight: 1, arbitrary: searchFilter })),
      in: fc.constantFrom('staff', 'group:client', '#fuzz-room', '@fuzz-staff', 'user:nobody', 'team:staff:fuzz-client'),
      from: fc.constantFrom('fuzz-staff', '@fuzz-client', 'nobody'),
      on: fc.constantFrom('2026-01-31', '2026-02-30'),
      after: fc.constantFrom('2000-01-01', '2026-01-31T12:00:00Z'),
      limit: fc.integer({ min: 1, max: 60 }),
      cursor: fc.constantFrom('n1', 'n999999999999999', 'r0', 'r20', 'x1'),
      order: fc.constantFrom('newest', 'relevance'),
      tz: fc.integer({ min: -840, max: 840 }),
    },
    { requiredKeys: ['q'] },
  ),
);
