/**
 * `zi`: the evaluator CLI, built on the typed client (../../index.ts). Data goes to stdout, messages
 * to stderr; exit codes are in ./exit.ts and the README ("Evaluator CLI and typed client").
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { isProblem, type operations, type Schemas } from '../../index.js'
import {
  AnswerFileError,
  answersToCsv,
  formatOf,
  locateErrors,
  parseAnswersCsv,
  parseAnswersJson,
  type FileIssue,
  type ParsedAnswers,
} from './answers-file.js'
import { configFile, removeConfig, writeConfig } from './config.js'
import { CliError, EXIT, usageError } from './exit.js'
import { chooseLanguage, extractLangOption, headers, t, useLanguage } from './i18n.js'
import { fmtNumber, table, tsvLine } from './output.js'
import { renderPlan } from './path.js'
import { ACTION_COMMANDS } from './actions.js'
import { call, client, type Ctx, type Env, failure, idArg, parse, stageArg } from './command.js'
import { reportCommands } from './report.js'

type BatchBody = operations['batchAnswers']['requestBody']['content']['application/json']

/** The help's command sections, in order: each a catalogue key (a new command file adds its own). */
const USAGE_SECTIONS = ['cli:usage.commands', 'actions:usage', 'report:usage']

/** The help text, in the current language. */
export function usage(): string {
  return [t('cli:usage.header'), '', ...USAGE_SECTIONS.map((key) => t(key)), '', t('cli:usage.footer')].join('\n')
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

// ---- commands ----------------------------------------------------------------------------------

async function login(ctx: Ctx, args: string[]): Promise<number> {
  const { values } = parse(args, { url: { type: 'string' }, token: { type: 'string' } }, 0)
  if (!values.url) throw usageError(t('cli:login.need_url'))
  let token = values.token
  if (token === undefined) {
    if (process.stdin.isTTY) throw usageError(t('cli:login.need_token'))
    token = (await readStdin()).trim()
  }
  if (!token) throw usageError(t('cli:login.empty_token'))
  const { zi, url } = client(ctx, { url: values.url, token }, '--url')
  const { data: me } = await call(url, zi.GET('/v1/me'))
  const file = writeConfig(ctx.env, { url, token })
  const scope = me.scope.all_units
    ? t('cli:login.all_units')
    : t('cli:login.subtrees', { count: me.scope.unit_ids.length })
  ctx.err(t('cli:login.done', { url, name: me.name, role: me.role, scope, file }))
  return EXIT.ok
}

async function logout(ctx: Ctx, args: string[]): Promise<number> {
  parse(args, {}, 0)
  ctx.err(
    removeConfig(ctx.env) ? t('cli:logout.removed', { file: configFile(ctx.env) }) : t('cli:logout.not_logged_in'),
  )
  return EXIT.ok
}

async function whoami(ctx: Ctx, args: string[]): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' } }, 0)
  const { zi, url } = client(ctx)
  const { data: me } = await call(url, zi.GET('/v1/me'))
  if (values.json) ctx.out(`${JSON.stringify(me, null, 2)}\n`)
  else
    ctx.out(
      `${tsvLine(['url', url])}\n${tsvLine(['name', me.name])}\n${tsvLine(['role', me.role])}\n${tsvLine(['scope', me.scope.all_units ? 'all units' : me.scope.unit_ids.join(' ')])}\n`,
    )
  return EXIT.ok
}

async function units(ctx: Ctx, args: string[]): Promise<number> {
  const { values } = parse(args, { kind: { type: 'string' }, q: { type: 'string' }, json: { type: 'boolean' } }, 0)
  const kinds = ['instansi', 'opd', 'unit'] as const
  if (values.kind !== undefined && !kinds.includes(values.kind as never))
    throw usageError(t('cli:args.one_of', { option: '--kind', list: kinds.join(', ') }))
  const { zi, url } = client(ctx)
  const items: Schemas['Unit'][] = []
  let cursor: string | undefined
  do {
    const query = {
      limit: 500,
      sort: 'code' as const,
      ...(values.kind ? { kind: values.kind as (typeof kinds)[number] } : {}),
      ...(values.q ? { q: values.q } : {}),
      ...(cursor ? { cursor } : {}),
    }
    const { data } = await call(url, zi.GET('/v1/units', { params: { query } }))
    items.push(...data.items)
    cursor = data.next_cursor ?? undefined
  } while (cursor)
  if (values.json) {
    ctx.out(`${JSON.stringify(items, null, 2)}\n`)
  } else {
    const lines = [tsvLine(['id', 'code', 'kind', 'name', 'parent_id', 'afirmasi', 'archived'])]
    for (const u of items)
      lines.push(tsvLine([u.id, u.code, u.kind, u.name, u.parent_id, u.afirmasi, u.archived_at !== null]))
    ctx.out(`${lines.join('\n')}\n`)
  }
  ctx.err(t('cli:units.count', { count: items.length }))
  return EXIT.ok
}

async function assessments(ctx: Ctx, args: string[]): Promise<number> {
  const { values } = parse(args, { period: { type: 'string' }, unit: { type: 'string' }, json: { type: 'boolean' } }, 0)
  if (values.period !== undefined) idArg(values.period, '--period')
  if (values.unit !== undefined) idArg(values.unit, '--unit')
  const { zi, url } = client(ctx)
  const items: Schemas['Assessment'][] = []
  let cursor: string | undefined
  do {
    const query = {
      limit: 500,
      ...(values.period ? { period_id: values.period } : {}),
      ...(values.unit ? { unit_id: values.unit } : {}),
      ...(cursor ? { cursor } : {}),
    }
    const { data } = await call(url, zi.GET('/v1/assessments', { params: { query } }))
    items.push(...data.items)
    cursor = data.next_cursor ?? undefined
  } while (cursor)
  if (values.json) {
    ctx.out(`${JSON.stringify(items, null, 2)}\n`)
  } else {
    const lines = [tsvLine(['id', 'period_id', 'unit_id', 'unit_name', 'stages'])]
    for (const a of items)
      lines.push(
        tsvLine([a.id, a.period_id, a.unit_id, a.unit_name, a.stages.map((s) => `${s.kind}:${s.status}`).join(' ')]),
      )
    ctx.out(`${lines.join('\n')}\n`)
  }
  ctx.err(t('cli:assessments.count', { count: items.length }))
  return EXIT.ok
}

async function answersPull(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { format: { type: 'string' }, out: { type: 'string' } }, 2)
  const id = idArg(positionals[0], t('cli:placeholder.assessment_id'))
  const stage = stageArg(positionals[1])
  const format =
    values.format === undefined && values.out === undefined
      ? 'csv'
      : (formatOf(values.format, values.out) ?? (values.format === undefined ? 'csv' : undefined))
  if (!format) throw usageError(t('cli:args.csv_or_json'))
  const { zi, url } = client(ctx)
  const { data } = await call(
    url,
    zi.GET('/v1/assessments/{id}/stages/{stage}/answers', { params: { path: { id, stage } } }),
  )
  const text = format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : answersToCsv(data.answers, data.stage)
  const summary = t('cli:pull.summary', {
    count: data.answers.length,
    stage,
    status: data.stage.status,
    version: data.stage.version,
    total: fmtNumber(data.stage.total),
  })
  if (values.out) {
    try {
      writeFileSync(values.out, text)
    } catch (err) {
      throw usageError(t('cli:args.cannot_write', { file: values.out, why: (err as Error).message }))
    }
    ctx.err(t('cli:pull.wrote', { summary, file: values.out }))
  } else {
    ctx.out(text)
    ctx.err(summary)
  }
  return EXIT.ok
}

/** The default Idempotency-Key: the same request to the same stage always gets the same key. */
export function pushKey(assessmentId: string, stage: string, body: unknown): string {
  return `zi-push-${createHash('sha256')
    .update(JSON.stringify({ assessment: assessmentId, stage, body }))
    .digest('hex')}`
}

const issuesTable = (issues: FileIssue[]): string =>
  table(
    headers('cli:col.where', 'cli:col.field', 'cli:col.problem'),
    issues.map((i) => [i.where, i.field, i.message]),
  )

async function answersPush(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      format: { type: 'string' },
      'idempotency-key': { type: 'string' },
      'ignore-versions': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    3,
  )
  const dryRun = values['dry-run'] ?? false
  if (dryRun && values['idempotency-key'] !== undefined) throw usageError(t('cli:push.dry_run_key'))
  const id = idArg(positionals[0], t('cli:placeholder.assessment_id'))
  const stage = stageArg(positionals[1])
  const file = positionals[2]!
  const format = formatOf(values.format, file === '-' ? undefined : file)
  if (!format)
    throw usageError(values.format !== undefined ? t('cli:args.csv_or_json') : t('cli:push.format_unknown', { file }))
  let text: string
  try {
    text = file === '-' ? await readStdin() : readFileSync(file, 'utf8')
  } catch (err) {
    throw usageError(t('cli:args.cannot_read', { file, why: (err as Error).message }))
  }
  let parsed: ParsedAnswers
  try {
    const opts = { ignoreVersions: values['ignore-versions'] ?? false }
    parsed = format === 'json' ? parseAnswersJson(text, opts) : parseAnswersCsv(text, opts)
  } catch (err) {
    if (err instanceof AnswerFileError)
      throw new CliError(
        EXIT.refused,
        `${t('cli:error.file', { file, message: err.message })}\n${issuesTable(err.issues)}`,
      )
    throw err
  }
  const body = { answers: parsed.items }
  // A dry run writes nothing, so it needs no key (and must not take the real push's).
  const key = dryRun ? undefined : (values['idempotency-key'] ?? pushKey(id, stage, body))
  const { zi, url } = client(ctx)
  const { data, response } = await call(
    url,
    zi.POST('/v1/assessments/{id}/stages/{stage}/answers/batch', {
      params: {
        path: { id, stage },
        query: { dry_run: dryRun },
        header: key ? { 'idempotency-key': key } : {},
      },
      // JSON files may carry fields the API does not know: the server names them (400), per row.
      body: body as BatchBody,
    }),
    (res, error) => {
      if (isProblem(error) && error.errors?.length) {
        const rows = locateErrors(error.errors, parsed)
        const lines = [
          table(
            headers('cli:col.where', 'cli:col.question', 'cli:col.field', 'cli:col.rule', 'cli:col.message'),
            rows.map((r) => [r.where, r.question, r.field, r.rule, r.message]),
          ),
        ]
        if (res.status === 412) lines.push(t('cli:push.stale'))
        return failure(res, error, lines)
      }
      return failure(res, error)
    },
  )
  const replayed = response.headers.get('idempotent-replayed') === 'true'
  const unchanged = t('cli:push.unchanged', { count: data.unchanged.length })
  if (values.json) ctx.out(`${JSON.stringify(data, null, 2)}\n`)
  else if (dryRun && data.diff.length > 0) ctx.out(`${diffTable(data.diff)}\n`)
  if (dryRun) {
    ctx.err(t('cli:push.dry_run', { count: data.changed, stage, unchanged, version: data.stage.version }))
  } else if (data.changed === 0) {
    ctx.err(t('cli:push.nothing', { unchanged, stage, version: data.stage.version }))
  } else if (replayed) {
    ctx.err(t('cli:push.replayed', { key }))
  } else {
    ctx.err(
      t('cli:push.wrote', {
        count: data.answers.length,
        stage,
        version: data.stage.version,
        total: fmtNumber(data.stage.total),
        unchanged,
        key,
      }),
    )
  }
  return EXIT.ok
}

type AnswerDiff = Schemas['AnswerDiff']

/** The diff of a dry run, one line per changed field: question, field, from, to. */
export function diffTable(diff: AnswerDiff[]): string {
  const shown = (v: unknown): string =>
    v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v)
  const rows: string[][] = []
  for (const d of diff) {
    for (const field of ['value', 'note', 'evidence_ids'] as const) {
      const from = shown(d.from?.[field] ?? null)
      const to = shown(d.to[field])
      if (from !== to) rows.push([d.question_code, field, from, to])
    }
  }
  return table(headers('cli:col.question', 'cli:col.field', 'cli:col.from', 'cli:col.to'), rows)
}

async function score(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { explain: { type: 'boolean' }, json: { type: 'boolean' } }, 2)
  const id = idArg(positionals[0], t('cli:placeholder.assessment_id'))
  const stage = stageArg(positionals[1])
  const { zi, url } = client(ctx)
  const { data: s } = await call(
    url,
    zi.GET('/v1/assessments/{id}/stages/{stage}/score', {
      params: { path: { id, stage }, query: { explain: values.explain ?? false } },
    }),
  )
  if (values.json) {
    ctx.out(`${JSON.stringify(s, null, 2)}\n`)
    return EXIT.ok
  }
  const parts = [
    table(
      ['', ''],
      [
        [t('cli:score.total'), t('cli:score.total_of', { total: fmtNumber(s.total), max: fmtNumber(s.max_total) })],
        [t('cli:score.eligible_for'), s.eligibility.predicate],
        [
          t('cli:score.unanswered'),
          `${s.unanswered.length}${s.unanswered.length ? `: ${s.unanswered.slice(0, 15).join(' ')}${s.unanswered.length > 15 ? t('cli:score.more') : ''}` : ''}`,
        ],
      ],
    )
      .split('\n')
      .slice(1)
      .join('\n'),
    table(
      headers(
        'cli:col.rule',
        'cli:col.for',
        'cli:col.result',
        'cli:col.actual',
        'cli:col.required',
        'cli:col.description',
      ),
      s.eligibility.rules.map((r) => [
        r.rule,
        r.predicate,
        r.passed ? t('cli:pass') : t('cli:fail'),
        fmtNumber(r.actual),
        fmtNumber(r.required),
        r.description,
      ]),
    ),
    table(
      headers('cli:col.component', 'cli:col.level', 'cli:col.value', 'cli:col.max', 'cli:col.name'),
      s.components.map((c) => [c.code, c.level, fmtNumber(c.value), fmtNumber(c.max), c.name]),
    ),
  ]
  if (values.explain && s.explanation) {
    parts.push(
      table(
        headers('cli:col.question', 'cli:col.answer', 'cli:col.value', 'cli:col.explanation'),
        s.explanation.questions.map((q) => [
          q.code,
          q.answer === null ? '' : String(q.answer),
          q.value === null ? '' : fmtNumber(q.value, 4),
          q.text ?? '',
        ]),
      ),
    )
    parts.push(
      table(
        headers('cli:col.node', 'cli:col.level', 'cli:col.value', 'cli:col.max', 'cli:col.how'),
        s.explanation.nodes.map((n) => [
          n.code,
          n.level,
          fmtNumber(n.value, 4),
          n.max === null ? '' : fmtNumber(n.max),
          n.text,
        ]),
      ),
    )
  }
  ctx.out(`${parts.join('\n\n')}\n`)
  return EXIT.ok
}

async function path(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      target: { type: 'string' },
      'max-changes': { type: 'string' },
      fixed: { type: 'string', multiple: true },
      guidance: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    2,
  )
  const id = idArg(positionals[0], t('cli:placeholder.assessment_id'))
  const stage = stageArg(positionals[1])
  const target = (values.target ?? 'WBK').toUpperCase()
  if (target !== 'WBK' && target !== 'WBBM') throw usageError(t('cli:args.target', { value: values.target }))
  const max = values['max-changes']
  if (max !== undefined && !/^\d+$/.test(max)) throw usageError(t('cli:path.max_changes', { value: max }))
  const { zi, url } = client(ctx)
  const query = {
    target,
    ...(max !== undefined ? { max_changes: Number(max) } : {}),
    ...(values.fixed ? { fixed: values.fixed } : {}),
  } as const
  const { data } = await call(
    url,
    zi.GET('/v1/assessments/{id}/stages/{stage}/plan', { params: { path: { id, stage }, query } }),
  )
  ctx.out(
    values.json
      ? `${JSON.stringify(data, null, 2)}\n`
      : `${renderPlan(data, { guidance: values.guidance ?? false })}\n`,
  )
  return EXIT.ok
}

const IMPORT_COLUMNS = ['line', 'code', 'kind', 'parent', 'action', 'changes']

async function unitsImport(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { 'dry-run': { type: 'boolean' }, 'archive-missing': { type: 'boolean' }, json: { type: 'boolean' } },
    1,
  )
  const file = positionals[0] as string
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (err) {
    throw usageError(t('cli:args.cannot_read', { file, why: (err as Error).message }))
  }
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(bytes)]), basename(file))
  if (values['dry-run']) form.append('dry_run', 'true')
  if (values['archive-missing']) form.append('archive_missing', 'true')
  const { zi, url } = client(ctx)
  const { data } = await call(
    url,
    zi.POST('/v1/units/import', { body: form as never, bodySerializer: (body) => body as unknown as FormData }),
    (res, error) => {
      const rows = isProblem(error) && Array.isArray(error.rows) ? (error.rows as Record<string, unknown>[]) : []
      return rows.length
        ? failure(res, error, [
            table(
              headers('cli:col.line', 'cli:col.column', 'cli:col.rule', 'cli:col.message'),
              rows.map((r) => [String(r.line), String(r.column), String(r.rule), String(r.message)]),
            ),
          ])
        : failure(res, error)
    },
  )
  if (values.json) ctx.out(`${JSON.stringify(data, null, 2)}\n`)
  else {
    const changed = data.rows.filter((r) => r.action !== 'unchanged')
    const lines = [tsvLine(IMPORT_COLUMNS)]
    for (const r of changed)
      lines.push(
        tsvLine([
          r.line,
          r.code,
          r.kind,
          r.parent_code,
          `${r.action}${r.restored ? ' (restored)' : ''}`,
          r.changes.map((c) => `${c.field}: ${c.from ?? ''} → ${c.to ?? ''}`).join('; '),
        ]),
      )
    for (const m of data.missing)
      lines.push(tsvLine(['', m.code, m.kind, '', m.archived ? 'archived' : 'missing', m.name]))
    ctx.out(`${lines.join('\n')}\n`)
  }
  const s = data.summary
  ctx.err(
    t('cli:import.summary', {
      dry: data.dry_run ? t('cli:import.dry_run') : '',
      rows: s.rows,
      instansi: data.instansi.code,
      new: s.new,
      moved: s.moved,
      changed: s.changed,
      unchanged: s.unchanged,
      restored: s.restored,
      missing: s.missing,
      archived: s.archived ? t('cli:import.archived', { count: s.archived }) : '',
    }),
  )
  return EXIT.ok
}

type DeclareBody = operations['declareMany']['requestBody']['content']['application/json']
type DeclareDocument = NonNullable<DeclareBody['documents']>[number]
const DOCUMENT_KINDS = ['piagam_pencanangan', 'pakta_integritas', 'sk_tim', 'other'] as const

async function declare(ctx: Ctx, args: string[]): Promise<number> {
  const { values } = parse(
    args,
    {
      period: { type: 'string' },
      date: { type: 'string' },
      instansi: { type: 'string' },
      kind: { type: 'string' },
      unit: { type: 'string', multiple: true },
      target: { type: 'string' },
      wbbm: { type: 'string', multiple: true },
      document: { type: 'string', multiple: true },
      notes: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'idempotency-key': { type: 'string' },
      json: { type: 'boolean' },
    },
    0,
  )
  const period = idArg(values.period, '--period')
  if (!values.date || !/^\d{4}-\d{2}-\d{2}$/.test(values.date))
    throw usageError(t('cli:declare.date', { value: JSON.stringify(values.date ?? '') }))
  const target = (values.target ?? 'WBK').toUpperCase()
  if (target !== 'WBK' && target !== 'WBBM') throw usageError(t('cli:args.target', { value: values.target }))
  const kind = values.kind ?? 'opd'
  if (kind !== 'opd' && kind !== 'unit') throw usageError(t('cli:declare.kind', { value: kind }))
  if (!values.instansi && !values.unit?.length) throw usageError(t('cli:declare.need_units'))
  const wbbm = new Set((values.wbbm ?? []).map((id) => idArg(id, '--wbbm')))
  const documents: DeclareDocument[] = (values.document ?? []).map((d) => {
    const eq = d.indexOf('=')
    const docKind = d.slice(0, eq)
    if (eq < 0 || !DOCUMENT_KINDS.includes(docKind as never))
      throw usageError(t('cli:declare.document', { list: DOCUMENT_KINDS.join(', '), value: d }))
    return { kind: docKind as DeclareDocument['kind'], url: d.slice(eq + 1) }
  })
  const { zi, url } = client(ctx)
  const ids = (values.unit ?? []).map((id) => idArg(id, '--unit'))
  if (values.instansi) {
    const instansi = idArg(values.instansi, '--instansi')
    let cursor: string | undefined
    do {
      const query = {
        limit: 500,
        sort: 'code' as const,
        instansi_id: instansi,
        kind: kind as 'opd' | 'unit',
        active: true,
        ...(cursor ? { cursor } : {}),
      }
      const { data } = await call(url, zi.GET('/v1/units', { params: { query } }))
      ids.push(...data.items.map((u) => u.id))
      cursor = data.next_cursor ?? undefined
    } while (cursor)
    if (ids.length === 0) throw usageError(t('cli:declare.no_units', { id: instansi, kind }))
  }
  const body: DeclareBody = {
    period_id: period,
    declared_on: values.date,
    ...(documents.length ? { documents } : {}),
    ...(values.notes ? { notes: values.notes } : {}),
    ...(values['dry-run'] ? { dry_run: true } : {}),
    units: [...new Set(ids)].map((id) => ({ unit_id: id, target: wbbm.has(id) ? 'WBBM' : (target as 'WBK' | 'WBBM') })),
  }
  const key = values['idempotency-key'] ?? pushKey(period, 'declare', body)
  type Verdict = {
    code: string | null
    unit_id: string
    name: string | null
    target: string
    verdict: string
    problem: { code: string; detail: string } | null
  }
  const verdictTable = (units: Verdict[]) =>
    table(
      headers('cli:col.code', 'cli:col.name', 'cli:col.target', 'cli:col.verdict', 'cli:col.why'),
      units.map((u) => [
        u.code ?? u.unit_id,
        u.name ?? '',
        u.target,
        u.verdict,
        u.problem ? `${u.problem.code}: ${u.problem.detail}` : '',
      ]),
    )
  const { data } = await call(
    url,
    zi.POST('/v1/declarations/batch', { params: { header: { 'idempotency-key': key } }, body }),
    (res, error) =>
      isProblem(error) && Array.isArray(error.units)
        ? failure(res, error, [verdictTable((error.units as Verdict[]).filter((u) => u.verdict === 'refused'))])
        : failure(res, error),
  )
  ctx.out(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${verdictTable(data.units)}\n`)
  ctx.err(
    data.dry_run
      ? t('cli:declare.dry_run', { count: data.declared, refused: data.refused })
      : t('cli:declare.done', { count: data.declared, target, date: values.date, key }),
  )
  return EXIT.ok
}

async function surveyResults(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { csv: { type: 'boolean' }, json: { type: 'boolean' } }, 1)
  const id = idArg(positionals[0], t('cli:placeholder.campaign_id'))
  if (values.csv && values.json) throw usageError(t('cli:survey.csv_and_json'))
  const { zi, url } = client(ctx)
  if (values.csv) {
    const { data } = await call(
      url,
      zi.GET('/v1/survey/campaigns/{id}/results.csv', { params: { path: { id } }, parseAs: 'text' }),
    )
    ctx.out(data as string)
    return EXIT.ok
  }
  const { data: r } = await call(url, zi.GET('/v1/survey/campaigns/{id}/results', { params: { path: { id } } }))
  if (values.json) {
    ctx.out(`${JSON.stringify(r, null, 2)}\n`)
    return EXIT.ok
  }
  const parts = [
    [
      tsvLine([t('cli:survey.campaign'), `${r.campaign_name} (${r.unit_name})`]),
      tsvLine([
        t('cli:survey.respondents'),
        t('cli:survey.respondents_of', {
          respondents: r.respondents,
          minimum: r.minimum,
          voided: r.voided ? t('cli:survey.voided', { count: r.voided }) : '',
        }),
      ]),
      tsvLine([t('cli:survey.final'), `${r.final ? t('cli:yes') : t('cli:no')}: ${r.reason}`]),
      tsvLine([t('cli:survey.computed_at'), r.computed_at]),
    ].join('\n'),
    table(
      headers('cli:col.service_type', 'cli:col.respondents', 'cli:col.share'),
      r.composition.by_service_type.map((c) => [
        c.service_type ?? t('cli:survey.not_stated'),
        String(c.respondents),
        fmtNumber(c.share, 1),
      ]),
    ),
  ]
  for (const idx of [r.ipak, r.ipkp]) {
    if (!idx) continue
    parts.push(
      `${idx.title} → ${idx.lke_question} = ${idx.index_rounded === null ? '–' : fmtNumber(idx.index_rounded, 2)}\n${table(
        headers('cli:col.aspect', 'cli:col.mean'),
        idx.aspects.map((a) => [a.aspect, a.mean === null ? '' : fmtNumber(a.mean, 2)]),
      )}`,
    )
  }
  ctx.out(`${parts.join('\n\n')}\n`)
  return EXIT.ok
}

async function surveyProgress(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, 1)
  const id = idArg(positionals[0], t('cli:placeholder.period_id'))
  const { zi, url } = client(ctx)
  const { data } = await call(
    url,
    zi.GET('/v1/survey/periods/{period_id}/progress', { params: { path: { period_id: id } } }),
  )
  ctx.out(
    values.json
      ? `${JSON.stringify(data, null, 2)}\n`
      : `${table(
          headers(
            'cli:col.unit',
            'cli:col.campaign',
            'cli:col.state',
            'cli:col.respondents',
            'cli:col.of',
            'cli:col.justified',
          ),
          data.units.map((u) => [
            u.unit_name,
            u.campaign_name ?? t('cli:survey.none'),
            u.state ?? '',
            String(u.respondents),
            String(u.minimum),
            u.justified ? t('cli:yes') : '',
          ]),
        )}\n`,
  )
  return EXIT.ok
}

async function proposalCheck(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, 1)
  const id = idArg(positionals[0], t('cli:placeholder.declaration_id'))
  const { zi, url } = client(ctx)
  const { data: v } = await call(url, zi.GET('/v1/declarations/{id}/proposal-check', { params: { path: { id } } }))
  if (values.json) ctx.out(`${JSON.stringify(v, null, 2)}\n`)
  else
    ctx.out(
      `${table(
        headers('cli:col.check', 'cli:col.result', 'cli:col.message'),
        v.checks.map((c) => [c.check, c.passed ? t('cli:pass') : t('cli:fail'), c.message]),
      )}\n`,
    )
  ctx.err(
    v.ready
      ? t('cli:proposal.ready', { what: v.kategori ?? v.target })
      : t('cli:proposal.not_ready', { count: v.failing.length, list: v.failing.join(', ') }),
  )
  return v.ready ? EXIT.ok : EXIT.refused
}

const COMMANDS: Record<string, (ctx: Ctx, args: string[]) => Promise<number>> = {
  login,
  logout,
  whoami,
  units,
  'units import': unitsImport,
  declare,
  assessments,
  'answers pull': answersPull,
  'answers push': answersPush,
  score,
  path,
  'proposal-check': proposalCheck,
  'survey results': surveyResults,
  'survey progress': surveyProgress,
  ...ACTION_COMMANDS,
  ...reportCommands<Ctx>({ parse, client: (ctx) => client(ctx), call, idArg }),
}

export async function main(rawArgv: string[], env: Env = process.env): Promise<number> {
  const ctx: Ctx = {
    env,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(`${text}\n`),
  }
  const { args: argv, lang } = extractLangOption(rawArgv)
  const chosen = chooseLanguage(lang, env)
  useLanguage(chosen.language)
  if (chosen.invalid) {
    ctx.err(`zi: ${t('cli:lang_invalid', { value: chosen.invalid })}`)
    return EXIT.usage
  }
  const [first, second] = argv
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    ;(first === undefined ? ctx.err : (text: string) => ctx.out(`${text}\n`))(usage())
    return first === undefined ? EXIT.usage : EXIT.ok
  }
  const twoWords =
    first === 'answers' ||
    first === 'survey' ||
    first === 'actions' ||
    first === 'report' ||
    (first === 'units' && second === 'import')
  const name = twoWords ? `${first} ${second ?? ''}` : first
  const command = COMMANDS[name]
  if (!command) {
    ctx.err(`${t('cli:unknown_command', { name: JSON.stringify(name.trim()) })}\n\n${usage()}`)
    return EXIT.usage
  }
  const rest = argv.slice(twoWords ? 2 : 1)
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.out(`${usage()}\n`)
    return EXIT.ok
  }
  try {
    return await command(ctx, rest)
  } catch (err) {
    if (err instanceof CliError) {
      ctx.err(err.exitCode === EXIT.usage ? `zi ${name}: ${err.message}\n${t('cli:usage.hint')}` : err.message)
      return err.exitCode
    }
    ctx.err(`zi ${name}: ${t('cli:unexpected', { stack: (err as Error).stack ?? String(err) })}`)
    return EXIT.unavailable
  }
}
