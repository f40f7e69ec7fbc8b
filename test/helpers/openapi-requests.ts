/**
 * Hostile requests generated from the OpenAPI document (`app.swagger()`), so that every route is
 * covered by construction — including routes added after these tests were written — and the
 * checks every answer must pass: never a 5xx, errors as problem+json (or the PortalRB envelope
 * under its base path), 2xx bodies in a documented content type, and a database left untouched by
 * every refused request.
 */
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import type { InjectOptions, LightMyRequestResponse as InjectResponse } from 'fastify'
import type { App } from '../../src/app.js'
import { queryRows } from '../../src/db/connection.js'
import { ROLES, type Role } from '../../src/lib/policy.js'

export type Schema = Record<string, unknown> & { $ref?: string }

export interface Param {
  in: 'path' | 'query' | 'header'
  name: string
  required: boolean
  schema: Schema
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  operationId: string
  /** Roles allowed; empty = public. */
  roles: Role[]
  params: Param[]
  body: { contentType: string; schema: Schema } | null
  /** status → declared content types */
  responses: Record<string, string[]>
}

interface OpenApiDoc {
  paths: Record<string, Record<string, Record<string, unknown>>>
  components?: { schemas?: Record<string, Schema> }
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

export function operationsOf(app: App): { doc: OpenApiDoc; operations: Operation[] } {
  const doc = app.swagger() as unknown as OpenApiDoc
  const operations: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined
      if (!op) continue
      const params = ((op.parameters as Param[] | undefined) ?? []).filter((p) =>
        ['path', 'query', 'header'].includes(p.in),
      )
      const content = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content
      const [contentType, media] = content ? (Object.entries(content)[0] ?? []) : []
      const responses: Record<string, string[]> = {}
      for (const [status, r] of Object.entries(
        (op.responses as Record<string, { content?: Record<string, unknown> }>) ?? {},
      )) {
        responses[status] = Object.keys(r.content ?? {})
      }
      operations.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        operationId: String(op.operationId ?? `${method} ${path}`),
        roles: ((op['x-roles'] as Role[] | undefined) ?? []).filter((r) => (ROLES as readonly string[]).includes(r)),
        params,
        body: contentType ? { contentType, schema: media?.schema ?? {} } : null,
        responses,
      })
    }
  }
  return { doc, operations }
}

export function resolve(doc: OpenApiDoc, schema: Schema | undefined, seen = 0): Schema {
  if (!schema) return {}
  if (schema.$ref && seen < 20) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '')
    return resolve(doc, doc.components?.schemas?.[name], seen + 1)
  }
  return schema
}

// ---------------------------------------------------------------------------------------------
// Hostile values

/** Strings sent in every parameter and string field: SQL, LIKE and path metacharacters, encodings, sizes. */
export const HOSTILE_STRINGS: string[] = [
  "' OR 1=1 --",
  "'; DROP TABLE units; --",
  '%',
  '_',
  '\\',
  '%_\\%',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  'file:///etc/passwd',
  'a\u0000b',
  '\ud800',
  '\uFFFE\uFFFF',
  '😀'.repeat(40),
  'x'.repeat(70_000),
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/a}',
  ' ',
  '',
  '-1',
  '00000000-0000-0000-0000-000000000000',
  'zit_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
]

/** The core of the list, swept through every free-text parameter: SQL and LIKE metacharacters, traversal, encodings, size. */
export const HOSTILE_CORE: string[] = [
  "' OR 1=1 --",
  "'; DROP TABLE units; --",
  '%',
  '_',
  '\\',
  '%_\\%',
  '../../etc/passwd',
  'a\u0000b',
  '\ud800',
  '😀'.repeat(40),
  'x'.repeat(70_000),
  '',
]

/** A shorter list for parameters whose schema already pins the shape (uuid, enum, date, number, pattern). */
export const HOSTILE_STRINGS_SHORT: string[] = [
  "' OR 1=1 --%",
  '../../etc/passwd',
  'a\u0000b\ud800',
  'x'.repeat(70_000),
]

/** Free text (no format, enum or pattern) gets the core list; constrained parameters the short one (the property test draws from all). */
export function hostileStringsFor(schema: Schema): string[] {
  return isConstrained(schema) ? HOSTILE_STRINGS_SHORT : HOSTILE_CORE
}

export const isConstrained = (schema: Schema): boolean =>
  schema.format !== undefined ||
  schema.enum !== undefined ||
  schema.pattern !== undefined ||
  (schema.type !== undefined && schema.type !== 'string')

/** Raw (already percent-encoded, some invalidly) strings for paths and query strings. */
export const RAW_URL_PIECES = ['%FF', '%C0%AF', '%zz', '%00', '..%2F..%2Fetc%2Fpasswd', '%E2%80%AE']
/** The malformed ones, for parameters whose schema pins the shape. */
export const RAW_URL_PIECES_SHORT = ['%FF', '%zz']

export const HUGE_LIMITS = ['0', '501', '9999999999999999999999', '1e309', '2.5', '']

const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** Cursors an attacker could forge: garbage, wrong shapes, and well-formed ones with hostile values. */
export function forgedCursors(sorts: string[]): string[] {
  const ids = ['not-a-uuid', "' OR 1=1 --", '00000000-0000-0000-0000-000000000000', 'x'.repeat(64)]
  const values: unknown[] = [null, 1e308, "' OR 1=1 --", '2026-01-01T00:00:00Z', {}]
  const cursors = ['garbage', 'x'.repeat(600), b64('null'), b64([1, 2, 3, 4]), b64('['.repeat(5000))]
  for (const sort of [...new Set([...sorts, 'id', 'x'])]) {
    for (const value of values) cursors.push(b64([sort, value, ids[cursors.length % ids.length]]))
  }
  return cursors
}

/** Bodies that are not what a JSON route expects at all. */
export function hostileJsonBodies(): { label: string; payload: Buffer | string; contentType: string }[] {
  const deepArray = '['.repeat(20_000) + ']'.repeat(20_000)
  const deepObject = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)
  return [
    { label: 'deep array nesting', payload: deepArray, contentType: 'application/json' },
    { label: 'deep object nesting', payload: deepObject, contentType: 'application/json' },
    {
      label: 'bad UTF-8 bytes',
      payload: Buffer.from([
        0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x22, 0x7d,
      ]),
      contentType: 'application/json',
    },
    { label: 'truncated JSON', payload: '{"name": "abc', contentType: 'application/json' },
    { label: 'JSON null', payload: 'null', contentType: 'application/json' },
    {
      label: '__proto__ pollution',
      payload: '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}',
      contentType: 'application/json',
    },
    {
      label: 'NUL and lone surrogate escapes',
      payload: '{"name":"a\\u0000b","code":"\\ud800","title":"\\u0000"}',
      contentType: 'application/json',
    },
    {
      label: 'huge numbers',
      payload: '{"limit":1e999999,"year":-1e309,"value":123456789012345678901234567890}',
      contentType: 'application/json',
    },
    {
      label: 'xml',
      payload: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
      contentType: 'application/xml',
    },
  ]
}

export const HOSTILE_FILE_NAMES = [
  '../../etc/passwd',
  '../../../tmp/x.pdf',
  '..\\..\\windows\\win.ini.pdf',
  '/etc/passwd.pdf',
  'a\u0000.pdf',
  '<script>.pdf',
  '".pdf',
  "'; drop table evidence; --.pdf",
  'x'.repeat(1000) + '.pdf',
  '.pdf',
  '%2e%2e%2fx.pdf',
]

/** Percent-encodes a string, even a lone surrogate (which encodeURIComponent refuses). */
export function enc(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('')
  }
}

// ---------------------------------------------------------------------------------------------
// Known ids, so that generated requests reach handlers and not only the 404 path

export type IdPool = Record<string, string[]>

const ALIASES: Record<string, string> = {
  unit: 'units',
  parent: 'units',
  instansi: 'units',
  predecessor: 'units',
  successor: 'units',
  period: 'periods',
  instrument: 'instruments',
  instrument_version: 'instruments',
  overlay_from: 'instruments',
  from: 'instruments',
  to: 'instruments',
  evidence: 'evidence',
  declaration: 'declarations',
  assessment: 'assessments',
  principal: 'principals',
  actor: 'principals',
  grant: 'grants',
  token: 'tokens',
  entity: 'all',
  stage: 'stages',
}

/** Candidate real ids for a parameter or field (`unit_id`, `evidence_ids`, `{id}` under /v1/units/…). */
export function knownIds(pool: IdPool, name: string, path?: string): string[] {
  if (name === 'id' && path) {
    const segments = path.split('/')
    const collection = segments[segments.indexOf('{id}') - 1] ?? ''
    return pool[collection] ?? pool[ALIASES[collection.replace(/s$/, '')] ?? ''] ?? pool.all ?? []
  }
  const base = name.replace(/_ids?$/, '')
  const key = pool[`${base}s`] ? `${base}s` : pool[base] ? base : (ALIASES[base] ?? 'all')
  return pool[key] ?? pool.all ?? []
}

// ---------------------------------------------------------------------------------------------
// Values from schemas

const hostileValue = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom<unknown>(null, true, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 1.5, [], {}, [null], { a: 1 }, ''),
  fc.string({ maxLength: 20 }),
)

const iso = (d: Date) => (Number.isNaN(d.getTime()) ? '2026-01-01T00:00:00.000Z' : d.toISOString())

/** Mostly-valid values for a schema, with a hostile value now and then at every level. */
export function valueArb(
  doc: OpenApiDoc,
  raw: Schema | undefined,
  ids: IdPool,
  name = '',
  depth = 0,
): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw)
  const valid = validArb(doc, schema, ids, name, depth)
  return fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: hostileValue, weight: 1 })
}

function validArb(doc: OpenApiDoc, schema: Schema, ids: IdPool, name: string, depth: number): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const)
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...(schema.enum as unknown[]))
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (alternatives && alternatives.length > 0)
    return fc.oneof(...alternatives.map((s) => validArb(doc, resolve(doc, s), ids, name, depth)))
  const type = schema.type
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => validArb(doc, { ...schema, type: t }, ids, name, depth)))
  if (depth > 5) return fc.constant(null)
  switch (type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>
      const required = (schema.required ?? []) as string[]
      const record = fc.record(
        Object.fromEntries(Object.entries(props).map(([k, s]) => [k, valueArb(doc, s, ids, k, depth + 1)])),
        { requiredKeys: required.filter((k) => k in props) },
      )
      const extra = fc.dictionary(
        fc.constantFrom('unknown_field', 'id', 'created_at', '__proto__', 'is_admin', 'role', "' OR 1=1 --"),
        hostileValue,
        { maxKeys: 1 },
      )
      const additional =
        typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as Schema) : undefined
      const patterned = schema.patternProperties
        ? Object.values(schema.patternProperties as Record<string, Schema>)[0]
        : undefined
      const free = additional ?? patterned
      const dict = free
        ? fc.dictionary(
            fc.oneof(fc.constantFrom('portalrb', 'sipd', 'Q1', 'a'), fc.constantFrom(...HOSTILE_STRINGS.slice(0, 12))),
            valueArb(doc, free, ids, name, depth + 1),
            { maxKeys: 3 },
          )
        : fc.constant({})
      return fc
        .tuple(record, fc.oneof({ arbitrary: fc.constant({}), weight: 5 }, { arbitrary: extra, weight: 1 }), dict)
        .map(([r, e, d]) => ({ ...d, ...r, ...e }))
    }
    case 'array': {
      const max = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 4, 4)
      const min = Math.min(typeof schema.minItems === 'number' ? schema.minItems : 0, max)
      return fc.array(valueArb(doc, schema.items as Schema, ids, name, depth + 1), { minLength: min, maxLength: max })
    }
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -5
      const max = typeof schema.maximum === 'number' ? schema.maximum : Math.max(min + 1000, 2100)
      return fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) })
    }
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1000
      const max = typeof schema.maximum === 'number' ? schema.maximum : 1000
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true })
    }
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    default: {
      const format = schema.format
      if (format === 'uuid') {
        const known = knownIds(ids, name)
        return known.length > 0
          ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 4 }, { arbitrary: fc.uuid(), weight: 1 })
          : fc.uuid()
      }
      if (format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01') }).map(iso)
      if (format === 'date')
        return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01') }).map((d) => iso(d).slice(0, 10))
      if (format === 'uri' || format === 'url' || /url/.test(name))
        return fc.constantFrom(
          'https://example.go.id/sk.pdf',
          'http://127.0.0.1/a',
          'javascript:alert(1)',
          'file:///etc/passwd',
        )
      if (format === 'binary') return fc.string()
      if (typeof schema.pattern === 'string') {
        try {
          return fc
            .stringMatching(new RegExp(schema.pattern))
            .filter((s) => s.length <= ((schema.maxLength as number | undefined) ?? 1000))
        } catch {
          /* fall through */
        }
      }
      if (/(_id|_ids)$/.test(name) || name === 'id') {
        const known = knownIds(ids, name)
        if (known.length > 0) return fc.constantFrom(...known)
      }
      const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0
      const maxLength = Math.max(minLength, Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 40, 40))
      return fc.string({ minLength, maxLength, unit: 'grapheme' })
    }
  }
}

/** A query or path value as text (arrays repeat the key in the query string). */
export const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))

// ---------------------------------------------------------------------------------------------
// Requests

export type Caller = Role | 'anonymous' | 'garbage'

export interface GeneratedRequest {
  op: Operation
  caller: Caller
  /** already-encoded path segment per parameter */
  path: Record<string, string>
  /** already-encoded query string, without '?' */
  query: string
  headers: Record<string, string>
  payload?: string | Buffer
}

const encodedPiece = (value: fc.Arbitrary<string>) => value.map(enc)

/** One random request for `op`: mostly allowed callers and valid-ish values, hostile ones mixed in. */
export function requestArb(
  doc: OpenApiDoc,
  op: Operation,
  ids: IdPool,
  multipart: MultipartBuilder,
): fc.Arbitrary<GeneratedRequest> {
  const callers: fc.Arbitrary<Caller> =
    op.roles.length === 0
      ? fc.constantFrom<Caller>('anonymous', ...ROLES)
      : fc.oneof(
          { arbitrary: fc.constantFrom<Caller>(...op.roles), weight: 8 },
          { arbitrary: fc.constantFrom<Caller>(...ROLES, 'anonymous', 'garbage'), weight: 2 },
        )
  const path = fc.record(
    Object.fromEntries(
      op.params
        .filter((p) => p.in === 'path')
        .map((p) => {
          const schema = resolve(doc, p.schema)
          const known = Array.isArray(schema.enum) ? (schema.enum as string[]) : knownIds(ids, p.name, op.path)
          const valid =
            known.length > 0
              ? fc.constantFrom(...known)
              : (validArb(doc, schema, ids, p.name, 0) as fc.Arbitrary<unknown>).map(asText)
          return [
            p.name,
            fc.oneof(
              { arbitrary: encodedPiece(valid), weight: 6 },
              { arbitrary: encodedPiece(fc.constantFrom(...HOSTILE_STRINGS)), weight: 3 },
              { arbitrary: fc.constantFrom(...RAW_URL_PIECES), weight: 1 },
            ),
          ]
        }),
    ),
  )
  const queryParams = op.params.filter((p) => p.in === 'query')
  const sorts = queryParams.flatMap((p) =>
    p.name === 'sort' ? ((resolve(doc, p.schema).enum as string[] | undefined) ?? []) : [],
  )
  const paramPairs = fc.tuple(
    ...queryParams.map((p) => {
      const schema = resolve(doc, p.schema)
      const special =
        p.name === 'limit'
          ? fc.constantFrom(...HUGE_LIMITS)
          : p.name === 'cursor'
            ? fc.constantFrom(...forgedCursors(sorts))
            : fc.constantFrom(...HOSTILE_STRINGS)
      const valid =
        schema.type === 'array'
          ? fc.array(validArb(doc, resolve(doc, schema.items as Schema), ids, p.name, 0).map(asText), {
              minLength: 1,
              maxLength: 3,
            })
          : validArb(doc, schema, ids, p.name, 0).map((v) => [asText(v)])
      const value = fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: special.map((s) => [s]), weight: 3 })
      return fc.option(
        value.map((values) => values.map((v) => `${enc(p.name)}=${enc(v)}`).join('&')),
        { freq: p.required ? 10 : 2 },
      )
    }),
  )
  const queryPairs = fc.tuple(
    paramPairs,
    fc.option(
      fc.constantFrom(...RAW_URL_PIECES).map((raw) => `${queryParams[0]?.name ?? 'q'}=${raw}`),
      { freq: 8 },
    ),
    fc.option(fc.constantFrom('unknown=1', 'limit=1&limit=2', '__proto__=x', 'q[]=1', 'a[b]=c'), { freq: 8 }),
  )
  const query = queryPairs.map(([params, raw, extra]) =>
    [...params, raw, extra].filter((x): x is string => !!x).join('&'),
  )
  const headerArb = fc.record(
    Object.fromEntries(
      op.params
        .filter((p) => p.in === 'header')
        .map((p) => [
          p.name,
          fc.constantFrom(
            '"1"',
            '"0"',
            '*',
            'W/"1"',
            '"999999999999999999"',
            'garbage',
            "' OR 1=1 --",
            'x'.repeat(300),
            'key-1',
            '\t',
            'é',
          ),
        ]),
    ),
    { requiredKeys: [] },
  )
  let payload: fc.Arbitrary<{ payload?: string | Buffer; contentType?: string }> = fc.constant({})
  if (op.body?.contentType === 'multipart/form-data') {
    payload = multipart(op.body.schema)
  } else if (op.body && /json/.test(op.body.contentType)) {
    const bodies = hostileJsonBodies()
    payload = fc.oneof(
      {
        arbitrary: valueArb(doc, op.body.schema, ids).map((v) => ({
          payload: JSON.stringify(v) ?? 'null',
          contentType: 'application/json',
        })),
        weight: 8,
      },
      {
        arbitrary: fc
          .jsonValue({ maxDepth: 3 })
          .map((v) => ({ payload: JSON.stringify(v) ?? 'null', contentType: 'application/json' })),
        weight: 1,
      },
      {
        arbitrary: fc.constantFrom(...bodies).map((b) => ({ payload: b.payload, contentType: b.contentType })),
        weight: 2,
      },
    )
  } else if (op.body) {
    const contentType = op.body.contentType
    payload = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((bytes) => ({ payload: Buffer.from(bytes), contentType })),
      fc.constant({ payload: Buffer.from('PK\u0003\u0004garbage'), contentType }),
    )
  }
  return fc
    .record({ caller: callers, path, query, headers: headerArb, body: payload })
    .map(({ caller, path, query, headers, body }) => ({
      op,
      caller,
      path,
      query,
      headers: { ...headers, ...(body.contentType ? { 'content-type': body.contentType } : {}) },
      ...(body.payload !== undefined ? { payload: body.payload } : {}),
    }))
}

export type MultipartBuilder = (schema: Schema) => fc.Arbitrary<{ payload?: Buffer; contentType?: string }>

/** Multipart bodies for upload routes: the schema's text fields (valid or hostile) and a file with a hostile name. */
export function multipartArb(doc: OpenApiDoc, ids: IdPool): MultipartBuilder {
  return (raw) => {
    const schema = resolve(doc, raw)
    const props = Object.entries((schema.properties ?? {}) as Record<string, Schema>)
    const textFields = props.filter(([, s]) => resolve(doc, s).format !== 'binary')
    const fileField = props.find(([, s]) => resolve(doc, s).format === 'binary')?.[0] ?? 'file'
    const fields = fc.record(
      Object.fromEntries(textFields.map(([k, s]) => [k, valueArb(doc, s, ids, k).map(asText)])),
      { requiredKeys: [] },
    )
    const file = fc.record({
      name: fc.oneof(fc.constantFrom(...HOSTILE_FILE_NAMES), fc.constantFrom('piagam.pdf', 'data.csv')),
      type: fc.constantFrom(
        'application/pdf',
        'text/csv',
        'application/octet-stream',
        'text/html',
        'image/svg+xml',
        'application/x-msdownload',
        "'; --",
      ),
      content: fc.oneof(
        fc.constant(Buffer.from('%PDF-1.7\n%hostile\n')),
        fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
        fc.constant(Buffer.from('a,b\n1,2\n')),
      ),
    })
    return fc.tuple(fields, fc.option(file, { freq: 6 }), fc.boolean()).map(([f, fileSpec, truncate]) => {
      const body = multipartPayload(
        f as Record<string, string>,
        fileSpec ? { field: fileField, ...fileSpec } : undefined,
      )
      return {
        payload: truncate ? body.payload.subarray(0, Math.floor(body.payload.length * 0.6)) : body.payload,
        contentType: body.contentType,
      }
    })
  }
}

export function multipartPayload(
  fields: Record<string, string>,
  file?: { field: string; name: string; type: string; content: Buffer },
): { payload: Buffer; contentType: string } {
  const boundary = '----ziHostileBoundary7MA4YWxkTrZu0gW'
  const quote = (s: string) => s.replace(/[\r\n"]/g, '_')
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(fields))
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`),
    )
  if (file) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${quote(file.name)}"\r\nContent-Type: ${quote(file.type)}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    )
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** The URL of a generated request. */
export function urlOf(req: Pick<GeneratedRequest, 'op' | 'path' | 'query'>): string {
  const path = req.op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => req.path[name] ?? 'x')
  return req.query ? `${path}?${req.query}` : path
}

export function toInject(req: GeneratedRequest, tokens: Record<Caller, string | null>): InjectOptions {
  const token = tokens[req.caller]
  return {
    method: req.op.method,
    url: urlOf(req),
    headers: { ...req.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(req.payload !== undefined ? { payload: req.payload } : {}),
  }
}

// ---------------------------------------------------------------------------------------------
// Checks

export interface ResponseCheckOptions {
  /** PortalRB routes answer errors as `{ error: true, code, message }` (config PORTALRB_BASE_PATH). */
  portalrbBase: string
}

/** What is wrong with a response (empty when nothing is). */
export function responseProblems(
  op: Operation | undefined,
  url: string,
  res: InjectResponse,
  options: ResponseCheckOptions,
): string[] {
  const problems: string[] = []
  const status = res.statusCode
  const type = String(res.headers['content-type'] ?? '')
  const path = url.split('?')[0] ?? url
  const portalrb = path === options.portalrbBase || path.startsWith(`${options.portalrbBase}/`)
  if (status >= 500) problems.push(`status ${status}`)
  if (status >= 400) {
    let body: Record<string, unknown> | null = null
    try {
      body = res.json() as Record<string, unknown>
    } catch {
      problems.push(`error body is not JSON: ${res.body.slice(0, 200)}`)
    }
    if (portalrb) {
      if (!/^application\/json\b/.test(type)) problems.push(`PortalRB error content-type ${type}`)
      if (body && (body.error !== true || typeof body.code !== 'string' || typeof body.message !== 'string'))
        problems.push(`PortalRB envelope expected, got ${res.body.slice(0, 200)}`)
    } else {
      if (!/^application\/problem\+json\b/.test(type)) problems.push(`error content-type ${type || '(none)'}`)
      if (body && (body.status !== status || typeof body.code !== 'string' || typeof body.title !== 'string'))
        problems.push(`problem body ${res.body.slice(0, 200)}`)
    }
  } else if (status !== 304 && status !== 204 && res.rawPayload.length > 0 && op) {
    const declared = op.responses[String(status)] ?? op.responses['2XX'] ?? op.responses.default
    if (!declared) problems.push(`status ${status} is not documented`)
    else if (declared.length > 0 && !declared.some((d) => type.split(';')[0]?.trim() === d || d === '*/*'))
      problems.push(`content-type ${type} not among ${declared.join(', ')}`)
  }
  if (status < 500 && !res.headers['x-content-type-options']) problems.push('no X-Content-Type-Options header')
  return problems
}

/** The tables a refused request must leave alone: everything but bookkeeping. */
const BOOKKEEPING = /^(rate_limit_buckets|idempotency_keys|__drizzle_migrations)$|outbox|deliver/
/** Columns touched by any authenticated request (api_tokens.last_used_at, to the minute). */
const VOLATILE_COLUMNS = ['last_used_at']

/**
 * A cheap digest of every mutable table, built from the catalogue so new modules' tables are
 * included: row count and max(updated_at) where the table has one; count and max(id) for the
 * append-only audit trail; a hash of every row (minus volatile columns) for the small tables
 * without updated_at (principals, grants, tokens, links, transitions, comments, snapshots…).
 */
export async function digester(app: App): Promise<{ digest: () => Promise<string>; tables: string[] }> {
  const columns = await queryRows<{ table_name: string; column_name: string }>(
    app.db,
    sql`select c.table_name, c.column_name from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position`,
  )
  const byTable = new Map<string, string[]>()
  for (const c of columns) byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c.column_name])
  const tables = [...byTable.keys()].filter((t) => !BOOKKEEPING.test(t)).sort()
  const q = (id: string) => `"${id.replace(/"/g, '""')}"`
  const parts = tables.map((t) => {
    const cols = byTable.get(t) ?? []
    const lit = `'${t.replace(/'/g, "''")}'`
    if (t === 'audit_events')
      return `select ${lit} as t, count(*)::text || ':' || coalesce(max(id)::text, '') as d from ${q(t)}`
    if (cols.includes('updated_at')) {
      const version = cols.includes('version') ? ` || ':' || coalesce(sum(version)::text, '')` : ''
      return `select ${lit} as t, count(*)::text || ':' || coalesce(max(updated_at)::text, '')${version} as d from ${q(t)}`
    }
    const row = `(to_jsonb(r) ${VOLATILE_COLUMNS.map((c) => `- '${c}'`).join(' ')})::text`
    return `select ${lit} as t, count(*)::text || ':' || coalesce(md5(string_agg(${row}, ',' order by ${row})), '') as d from ${q(t)} r`
  })
  const query = `select string_agg(t || '=' || d, ' ' order by t) as digest from (${parts.join(' union all ')}) x`
  return {
    tables,
    digest: async () => (await queryRows<{ digest: string }>(app.db, sql.raw(query)))[0]?.digest ?? '',
  }
}

/** Tables whose entries differ between two digests. */
export function digestDiff(before: string, after: string): string[] {
  const a = new Map(before.split(' ').map((e) => e.split('=') as [string, string]))
  return after
    .split(' ')
    .map((e) => e.split('=') as [string, string])
    .filter(([t, d]) => a.get(t) !== d)
    .map(([t]) => t)
}

/** Every file under `root`, relative to it. */
export function filesUnder(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name)
      if (statSync(full).isDirectory()) walk(full)
      else out.push(relative(root, full))
    }
  }
  walk(root)
  return out
}
