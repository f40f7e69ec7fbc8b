import { Readable } from 'node:stream'
import t from 'tap'
import {
  HOSTILE_FILE_NAMES,
  filesUnder,
  hostileJsonBodies,
  multipartPayload,
  resolve,
  type Schema,
} from '../helpers/openapi-requests.js'
import { sweepHarness } from '../helpers/hostile-sweep.js'

/**
 * Every request body of every route in the OpenAPI document, as a caller allowed to call it:
 * not JSON, badly encoded UTF-8, 20,000 levels deep, prototype pollution, NUL and lone
 * surrogates, hostile strings in every top-level string field, bodies larger than any limit
 * (413, also chunked), hostile upload file names. No 5xx, problem+json, nothing changed by a
 * refused request, no file outside DATA_DIR.
 */
t.test('hostile bodies on every route', async (t) => {
  const h = await sweepHarness(t)
  const { app, doc, operations, send, auth, urlFor, sampleBody, fx } = h
  const fileFieldOf = (op: (typeof operations)[number]) =>
    Object.entries((resolve(doc, op.body?.schema).properties ?? {}) as Record<string, Schema>).find(
      ([, s]) => resolve(doc, s).format === 'binary',
    )?.[0] ?? 'file'
  /** The text fields of a schema-shaped multipart body (not the file). */
  const textFieldsOf = (op: (typeof operations)[number]) =>
    Object.fromEntries(
      Object.entries(sampleBody(op)).filter(([k, v]) => typeof v === 'string' && k !== fileFieldOf(op)),
    ) as Record<string, string>
  const jsonOps = operations.filter((o) => o.body && /json/.test(o.body.contentType))
  t.ok(jsonOps.length > 15, `${jsonOps.length} routes take a JSON body`)

  await t.test('bodies that are not what the route expects', async (t) => {
    const problems: string[] = []
    for (const op of jsonOps) {
      for (const body of hostileJsonBodies()) {
        problems.push(
          ...(
            await send(op, {
              method: op.method,
              url: urlFor(op),
              headers: { ...auth(op), 'content-type': body.contentType },
              payload: body.payload,
            })
          ).problems,
        )
      }
    }
    t.same(problems.slice(0, 25), [], `${problems.length} bad answers`)
  })

  await t.test('hostile strings in every top-level string field', async (t) => {
    const problems: string[] = []
    let fields = 0
    for (const op of jsonOps) {
      const schema = resolve(doc, op.body!.schema)
      const base = sampleBody(op)
      const stringFields = Object.entries((schema.properties ?? {}) as Record<string, Schema>)
        .filter(([, s]) => {
          const r = resolve(doc, s)
          return r.type === 'string' || (Array.isArray(r.type) && r.type.includes('string')) || r.anyOf !== undefined
        })
        .map(([k]) => k)
      for (const field of stringFields) {
        fields++
        for (const value of ['a\u0000b', "../../etc/passwd' OR 1=1 --%_\\\ud800", 'x'.repeat(70_000)]) {
          problems.push(
            ...(
              await send(op, {
                method: op.method,
                url: urlFor(op),
                headers: auth(op),
                payload: { ...base, [field]: value },
              })
            ).problems,
          )
        }
      }
    }
    t.ok(fields > 15, `${fields} string fields`)
    t.same(problems.slice(0, 25), [], `${problems.length} bad answers`)
  })

  await t.test('bodies larger than any limit: 413 and nothing changed', async (t) => {
    const huge = Buffer.alloc(64 * 1024 * 1024 + 1, 0x20)
    for (const op of operations.filter((o) => o.body)) {
      let payload: Buffer = huge
      let type = op.body!.contentType
      if (type === 'multipart/form-data') {
        const fields = textFieldsOf(op)
        const built = multipartPayload(fields, {
          field: fileFieldOf(op),
          name: 'big.pdf',
          type: 'application/pdf',
          content: Buffer.concat([Buffer.from('%PDF-1.7\n'), huge]),
        })
        payload = built.payload
        type = built.contentType
      }
      const { res, problems } = await send(op, {
        method: op.method,
        url: urlFor(op),
        headers: { ...auth(op), 'content-type': type },
        payload,
      })
      t.same(problems, [], `${op.operationId}: ${payload.length} bytes`)
      t.equal(res.statusCode, 413, `${op.operationId}: 413 for ${payload.length} bytes`)
    }
    // Without Content-Length (chunked), the limit is counted as the bytes arrive.
    const op = jsonOps.find((o) => o.roles.includes('admin'))!
    let chunks = 64
    const stream = new Readable({
      read() {
        this.push(chunks-- > 0 ? Buffer.alloc(1024 * 1024, 0x20) : null)
      },
    })
    const { res, problems } = await send(op, {
      method: op.method,
      url: urlFor(op),
      headers: { ...auth(op), 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      payload: stream,
    })
    t.same(problems, [], 'chunked body')
    t.equal(res.statusCode, 413, `${op.operationId}: 413 for a chunked 64 MiB body`)
  })

  await t.test('hostile upload file names stay inside DATA_DIR and come back as a safe attachment', async (t) => {
    const uploads = operations.filter((o) => o.body?.contentType === 'multipart/form-data')
    t.ok(uploads.length >= 1, `${uploads.length} upload routes`)
    for (const op of uploads) {
      const fileField = fileFieldOf(op)
      for (const [i, name] of HOSTILE_FILE_NAMES.entries()) {
        const fields = { ...textFieldsOf(op), unit_id: fx.ids.units![3]!, title: `Bukti ${i}` }
        const content = Buffer.from(`%PDF-1.7\nupload ${i}\n`)
        const form = multipartPayload(fields, { field: fileField, name, type: 'application/pdf', content })
        const { res, problems } = await send(op, {
          method: op.method,
          url: urlFor(op),
          headers: { ...auth(op), 'content-type': form.contentType },
          payload: form.payload,
        })
        t.same(problems, [], `${op.operationId} with file name ${JSON.stringify(name.slice(0, 40))}`)
        const location = res.headers.location
        if (res.statusCode !== 201 || typeof location !== 'string') continue
        const download = await app.inject({
          method: 'GET',
          url: `${location}/content`,
          headers: { authorization: `Bearer ${fx.tokens.admin}` },
        })
        t.equal(download.statusCode, 200, `${location}/content`)
        const disposition = String(download.headers['content-disposition'])
        t.match(
          disposition,
          /^attachment; filename="[^"/\\\u0000-\u001f]*"; filename\*=UTF-8''[A-Za-z0-9%._~!'()*-]*$/,
          `an attachment with a sanitised name: ${disposition.slice(0, 80)}`,
        )
        t.equal(download.headers['content-type'], 'application/pdf')
        t.equal(download.headers['x-content-type-options'], 'nosniff')
      }
    }
    const files = filesUnder(fx.root)
    t.ok(files.length > 0, `${files.length} files under the test root`)
    t.same(
      files.filter((f) => !/^data\/evidence\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(f)),
      [],
      'every file is content-addressed under DATA_DIR/evidence: no escape, no temp file left behind',
    )
  })

  t.ok(h.sentCount() > 300, `${h.sentCount()} hostile requests`)
})
