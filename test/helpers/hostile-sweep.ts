import fc from 'fast-check'
import type { InjectOptions } from 'fastify'
import type { Test } from 'tap'
import type { Role } from '../../src/lib/policy.js'
import { hostileFixture, type HostileFixture } from './hostile-fixture.js'
import {
  digestDiff,
  digester,
  enc,
  knownIds,
  operationsOf,
  resolve,
  responseProblems,
  valueArb,
  type Caller,
  type Operation,
} from './openapi-requests.js'

/**
 * What the deterministic sweeps share: the fixture, the operations of the OpenAPI document, and
 * `send`, which makes one request and returns what is wrong with its answer or with the database
 * afterwards (no 5xx; problem+json or the PortalRB envelope; a refused request or a read leaves
 * the digest of every mutable table unchanged).
 */
export async function sweepHarness(t: Test) {
  const fx: HostileFixture = await hostileFixture(t)
  const { app } = fx.ctx
  const { doc, operations } = operationsOf(app)
  const { digest, tables } = await digester(app)
  let baseline = await digest()
  let sent = 0
  /** Reads since the last digest: they are checked together, before the next write or at `flush`. */
  let pendingReads: string[] = []

  const flush = async (): Promise<string[]> => {
    if (pendingReads.length === 0) return []
    const after = await digest()
    const problems =
      after !== baseline
        ? [
            `one of ${pendingReads.length} reads (${pendingReads.slice(0, 3).join(', ')}…) changed ${digestDiff(baseline, after).join(', ')}`,
          ]
        : []
    baseline = after
    pendingReads = []
    return problems
  }

  /**
   * Sends one request; returns what is wrong with its answer or with the database afterwards.
   * Writes are digested one by one (a refused write must change nothing); reads (which must
   * never change anything) are digested in groups, which is as strict and much cheaper.
   */
  const send = async (op: Operation | undefined, options: InjectOptions) => {
    const url = String(options.url)
    const isRead = options.method === 'GET' || options.method === 'HEAD'
    const problems: string[] = isRead ? [] : await flush()
    const res = await app.inject(options)
    sent++
    problems.push(...responseProblems(op, url, res, { portalrbBase: fx.portalrbBase }))
    if (isRead) {
      pendingReads.push(`${options.method} ${url.slice(0, 80)}`)
    } else {
      const after = await digest()
      if (res.statusCode >= 400 && after !== baseline)
        problems.push(`refused, yet changed ${digestDiff(baseline, after).join(', ')}`)
      baseline = after
    }
    return { res, problems: problems.map((p) => `${options.method} ${url.slice(0, 160)} → ${res.statusCode}: ${p}`) }
  }

  /** A caller allowed to call the route, so hostile input gets past the role gate: admin when it may. */
  const callerOf = (op: Operation): Caller =>
    op.roles.length === 0 ? 'anonymous' : op.roles.includes('admin') ? 'admin' : (op.roles[0] as Role)
  const auth = (op: Operation): Record<string, string> => {
    const token = fx.tokens[callerOf(op)]
    return token ? { authorization: `Bearer ${token}` } : {}
  }
  /** The route's URL with real ids (or the first enum value) in every path parameter but `override`. */
  const urlFor = (op: Operation, override: Record<string, string> = {}, query = '') => {
    const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      if (name in override) return override[name]!
      const schema = resolve(doc, op.params.find((p) => p.in === 'path' && p.name === name)?.schema)
      if (Array.isArray(schema.enum)) return enc(String(schema.enum[0]))
      if (name === 'code') return 'Q1'
      return enc(knownIds(fx.ids, name, op.path)[0] ?? '00000000-0000-4000-8000-000000000000')
    })
    return query ? `${path}?${query}` : path
  }
  /** One schema-shaped body, the same every run (fixed seed). */
  const sampleBody = (op: Operation): Record<string, unknown> => {
    if (!op.body) return {}
    const [value] = fc.sample(
      valueArb(doc, op.body.schema, fx.ids).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
      { seed: 42, numRuns: 1 },
    )
    return (value ?? {}) as Record<string, unknown>
  }
  /** An empty JSON object for routes that take a JSON body (so the body is not what fails). */
  const emptyJson = (op: Operation): Partial<InjectOptions> & { headers: Record<string, string> } =>
    op.body && /json/.test(op.body.contentType)
      ? { payload: '{}', headers: { 'content-type': 'application/json' } }
      : { headers: {} }

  return {
    fx,
    app,
    doc,
    operations,
    tables,
    send,
    flush,
    callerOf,
    auth,
    urlFor,
    sampleBody,
    emptyJson,
    sentCount: () => sent,
  }
}
