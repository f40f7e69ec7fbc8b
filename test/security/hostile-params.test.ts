import t from 'tap'
import {
  HUGE_LIMITS,
  RAW_URL_PIECES,
  RAW_URL_PIECES_SHORT,
  asText,
  enc,
  forgedCursors,
  hostileStringsFor,
  isConstrained,
  knownIds,
  resolve,
} from '../helpers/openapi-requests.js'
import { sweepHarness } from '../helpers/hostile-sweep.js'

/**
 * Every path and query parameter of every route in the OpenAPI document (so routes added later
 * are covered the day they are documented), as a caller allowed to call the route: SQL and LIKE
 * metacharacters, path traversal, NUL and lone surrogates, 70 kB strings, malformed
 * percent-encodings, absurd `limit`s, forged `cursor`s, unknown and repeated parameters. No 5xx,
 * errors as problem+json (PortalRB envelope under its base path), nothing changed.
 */
t.test('hostile path and query parameters on every route', async (t) => {
  const h = await sweepHarness(t)
  const { doc, operations, send, flush, auth, urlFor, emptyJson } = h
  t.ok(operations.length > 40, `${operations.length} operations in the OpenAPI document`)
  t.ok(h.tables.includes('units') && h.tables.includes('audit_events'), `the digest covers ${h.tables.length} tables`)

  await t.test('every path parameter', async (t) => {
    const problems: string[] = []
    let params = 0
    for (const op of operations) {
      for (const param of op.params.filter((p) => p.in === 'path')) {
        params++
        const schema = resolve(doc, param.schema)
        for (const value of [
          ...hostileStringsFor(schema).map(enc),
          ...(isConstrained(schema) ? RAW_URL_PIECES_SHORT : RAW_URL_PIECES),
        ]) {
          const body = emptyJson(op)
          const { problems: p } = await send(op, {
            method: op.method,
            url: urlFor(op, { [param.name]: value }),
            ...body,
            headers: { ...auth(op), ...body.headers },
          })
          problems.push(...p)
        }
      }
    }
    problems.push(...(await flush()))
    t.comment(`${h.sentCount()} requests so far`)
    t.ok(params > 30, `${params} path parameters`)
    t.same(problems.slice(0, 25), [], `${problems.length} bad answers`)
  })

  await t.test('every query parameter, with absurd limits and forged cursors', async (t) => {
    const problems: string[] = []
    let params = 0
    for (const op of operations) {
      const queryParams = op.params.filter((p) => p.in === 'query')
      if (queryParams.length === 0) continue
      const sorts = queryParams.flatMap((p) =>
        p.name === 'sort' ? ((resolve(doc, p.schema).enum as string[] | undefined) ?? []) : [],
      )
      // Required parameters keep a valid value while another one is hostile.
      const validOf = (name: string) => {
        const schema = resolve(doc, queryParams.find((p) => p.name === name)!.schema)
        return enc(asText(Array.isArray(schema.enum) ? schema.enum[0] : (knownIds(h.fx.ids, name)[0] ?? 'x')))
      }
      for (const param of queryParams) {
        params++
        const schema = resolve(doc, param.schema)
        const values = [
          ...hostileStringsFor(schema).map(enc),
          ...(isConstrained(schema) ? RAW_URL_PIECES_SHORT : RAW_URL_PIECES),
        ]
        if (param.name === 'limit') values.push(...HUGE_LIMITS.map(enc))
        if (param.name === 'cursor') values.push(...forgedCursors(sorts).map(enc))
        const others = queryParams
          .filter((p) => p.required && p.name !== param.name)
          .map((p) => `${p.name}=${validOf(p.name)}`)
        for (const value of values) {
          const body = emptyJson(op)
          const url = urlFor(op, {}, [...others, `${enc(param.name)}=${value}`].join('&'))
          problems.push(
            ...(await send(op, { method: op.method, url, ...body, headers: { ...auth(op), ...body.headers } }))
              .problems,
          )
        }
      }
      const required = queryParams.filter((p) => p.required).map((p) => `${p.name}=${validOf(p.name)}`)
      for (const extra of ['unknown=1', 'limit=1&limit=2', '__proto__=x', 'a[b]=c', `${queryParams[0]!.name}[]=1`]) {
        const body = emptyJson(op)
        problems.push(
          ...(
            await send(op, {
              method: op.method,
              url: urlFor(op, {}, [...required, extra].join('&')),
              ...body,
              headers: { ...auth(op), ...body.headers },
            })
          ).problems,
        )
      }
    }
    problems.push(...(await flush()))
    t.comment(`${h.sentCount()} requests so far`)
    t.ok(params > 20, `${params} query parameters`)
    t.same(problems.slice(0, 25), [], `${problems.length} bad answers`)
  })

  await t.test('LIKE metacharacters in search parameters match literally', async (t) => {
    const searches = operations.filter(
      (op) => op.method === 'GET' && op.params.some((p) => p.in === 'query' && (p.name === 'q' || p.name === 'search')),
    )
    t.ok(searches.length >= 2, `${searches.length} search routes`)
    for (const op of searches) {
      const name = op.params.find((p) => p.in === 'query' && (p.name === 'q' || p.name === 'search'))!.name
      for (const needle of ['%', '_', '\\', "' OR 1=1 --", '%%']) {
        const { res, problems } = await send(op, {
          method: 'GET',
          url: urlFor(op, {}, `${name}=${enc(needle)}`),
          headers: auth(op),
        })
        t.same(problems, [], `${op.operationId} ${name}=${needle}`)
        t.equal(res.statusCode, 200, `${op.operationId} ${name}=${needle} answers`)
        const items = ((res.json() as { items?: unknown[] }).items ?? []) as unknown[]
        const literal = JSON.stringify(needle).slice(1, -1)
        t.ok(
          items.every((item) => JSON.stringify(item).includes(literal)),
          `${op.operationId} ${name}=${needle}: ${items.length} items, each contains it literally`,
        )
      }
    }
    t.same(await flush(), [], 'the searches changed nothing')
  })

  t.ok(h.sentCount() > 500, `${h.sentCount()} hostile requests`)
})
