/**
 * `zi`: the evaluator CLI, built on the typed client (../../index.ts). Data goes to stdout, messages
 * to stderr; exit codes are in ./exit.ts and the README ("Evaluator CLI and typed client").
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import {
  createZiClient,
  isProblem,
  normaliseBaseUrl,
  type operations,
  type Schemas,
  type ZiClient,
} from '../../index.js'
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
import { configFile, removeConfig, resolveCredentials, writeConfig } from './config.js'
import { CliError, EXIT, exitCodeForStatus, usageError } from './exit.js'
import { fmtNumber, table, tsvLine } from './output.js'
import { renderPlan } from './path.js'
import { ACTION_COMMANDS, ACTIONS_USAGE } from './actions.js'
import { REPORT_USAGE, reportCommands } from './report.js'

type Env = Record<string, string | undefined>
type StageKind = Schemas['Stage']['kind']
type BatchBody = operations['batchAnswers']['requestBody']['content']['application/json']
const STAGES = ['self', 'tpi', 'tpn', 'sanggah'] as const satisfies readonly StageKind[]
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const USAGE = `Usage: zi <command> [options]

  login --url <server> [--token <token>]   check the token and save both (token read from stdin
                                           when --token is left out)
  logout                                   forget the saved URL and token
  whoami [--json]                          the principal, role and scope of the token
  units [--kind instansi|opd|unit] [--q <text>] [--json]
                                           the units in your scope (tab-separated, with a header)
  units import <file.csv|file.xlsx> [--dry-run] [--archive-missing] [--json]
                                           the instansi's whole organisation from one file (kode,
                                           nama, jenis, kode_induk, afirmasi, id_<system>): the
                                           diff, then all or nothing (admin)
  declare --period <id> --date <YYYY-MM-DD> (--instansi <id> [--kind opd|unit] | --unit <id>...)
          [--target WBK|WBBM] [--wbbm <unit-id>]... [--document <kind>=<url>]... [--notes <text>]
          [--dry-run] [--idempotency-key <key>] [--json]
                                           mass pencanangan: ZI declared for many units at once
                                           with the shared documents (piagam_pencanangan,
                                           pakta_integritas, other), all or nothing
  assessments [--period <id>] [--unit <id>] [--json]
                                           the assessments in your scope and their stages
  answers pull <assessment-id> <stage> [--format csv|json] [--out <file>]
  answers push <assessment-id> <stage> <file.csv|file.json|-> [--format csv|json]
               [--idempotency-key <key>] [--ignore-versions] [--dry-run] [--json]
                                           write the file's answers as one all-or-nothing batch
                                           (answers as stored are left alone; --dry-run shows
                                           what would change, from what to what, writing nothing)
  score <assessment-id> <stage> [--explain] [--json]
                                           score and WBK/WBBM eligibility, rule by rule
  path <assessment-id> <stage> [--target WBK|WBBM] [--max-changes <n>] [--fixed <code>]...
       [--guidance] [--json]               the fewest answer changes to reach the target (default
                                           WBK), step by step, with the evidence each needs
  proposal-check <declaration-id> [--json]
                                           could the declaration be proposed now? every check
                                           (PermenPANRB 90/2021 Tabel 5 …) with its reason; exit 0
                                           when ready, 2 when a check fails
  survey results <campaign-id> [--csv] [--json]
                                           a survey campaign's summary: respondents, composition,
                                           the IPAK/IPKP index per aspect (--csv: the CSV export)
  survey progress <period-id> [--json]     each unit's respondents so far against the 30 needed
${ACTIONS_USAGE}
${REPORT_USAGE}

  <stage> is self, tpi, tpn or sanggah.
  ZI_URL and ZI_TOKEN override the saved login (config: $XDG_CONFIG_HOME/zi/config.json or
  ~/.config/zi/config.json, mode 0600).
  Exit codes: 0 ok, 1 usage, 2 refused as invalid, 3 auth (401/403, not logged in), 4 not found,
  5 conflict/precondition (409/412/428), 6 server, network or rate limit.`

interface Ctx {
  env: Env
  out: (text: string) => void
  err: (text: string) => void
}

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, positionals: number) {
  let parsed
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw usageError((err as Error).message)
  }
  if (parsed.positionals.length !== positionals) {
    throw usageError(
      `expected ${positionals} argument${positionals === 1 ? '' : 's'}, got ${parsed.positionals.length}${parsed.positionals.length ? ` (${parsed.positionals.join(' ')})` : ''}`,
    )
  }
  return parsed
}

function client(ctx: Ctx, creds = resolveCredentials(ctx.env, ctx.err)): { zi: ZiClient; url: string } {
  let zi: ZiClient
  try {
    zi = createZiClient({
      baseUrl: creds.url,
      token: creds.token,
      retries: 2,
      timeoutMs: 120_000,
      headers: { 'user-agent': 'zi-cli' },
    })
  } catch (err) {
    throw usageError(`${(err as Error).message} (from ${ctx.env.ZI_URL ? 'ZI_URL' : configFile(ctx.env)})`)
  }
  return { zi, url: normaliseBaseUrl(creds.url) }
}

/** A failed response as a CliError with the problem's code and detail. */
function failure(response: Response, error: unknown, extraLines: string[] = []): CliError {
  const code = exitCodeForStatus(response.status)
  if (isProblem(error)) {
    const lines = [
      `error: ${response.status} ${error.code}: ${error.detail}${error.request_id ? ` (request ${error.request_id})` : ''}`,
    ]
    if (extraLines.length > 0) lines.push(...extraLines)
    else if (error.errors?.length)
      lines.push(
        table(
          ['field', 'rule', 'message'],
          error.errors.map((e) => [e.pointer, e.rule, e.message]),
        ),
      )
    return new CliError(code, lines.join('\n'))
  }
  return new CliError(
    code,
    `error: ${response.status} ${response.statusText || 'error'} from ${new URL(response.url || 'http://server/').origin}`,
  )
}

function networkFailure(url: string, err: unknown): CliError {
  const e = err as Error & { cause?: { code?: string; message?: string } }
  const why = e.name === 'TimeoutError' ? 'no answer in time' : (e.cause?.code ?? e.cause?.message ?? e.message)
  return new CliError(EXIT.unavailable, `error: cannot reach ${url}: ${why}`)
}

type Result<T> = { data?: T; error?: unknown; response: Response }
async function call<T>(
  url: string,
  request: Promise<Result<T>>,
  onError?: (response: Response, error: unknown) => CliError,
): Promise<{ data: T; response: Response }> {
  let result: Result<T>
  try {
    result = await request
  } catch (err) {
    throw networkFailure(url, err)
  }
  if (!result.response.ok) throw (onError ?? failure)(result.response, result.error)
  return { data: result.data as T, response: result.response }
}

function stageArg(value: string | undefined): StageKind {
  if (!STAGES.includes(value as StageKind))
    throw usageError(`<stage> must be one of ${STAGES.join(', ')}, not ${JSON.stringify(value ?? '')}`)
  return value as StageKind
}

function idArg(value: string | undefined, what: string): string {
  if (!value || !UUID.test(value)) throw usageError(`${what} must be a UUID, not ${JSON.stringify(value ?? '')}`)
  return value
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

// ---- commands ----------------------------------------------------------------------------------

async function login(ctx: Ctx, args: string[]): Promise<number> {
  const { values } = parse(args, { url: { type: 'string' }, token: { type: 'string' } }, 0)
  if (!values.url) throw usageError('login needs --url <server>, e.g. --url https://zi.example.go.id')
  let token = values.token
  if (token === undefined) {
    if (process.stdin.isTTY) throw usageError('give --token <token>, or pipe the token on stdin')
    token = (await readStdin()).trim()
  }
  if (!token) throw usageError('the token is empty')
  const { zi, url } = client(ctx, { url: values.url, token })
  const { data: me } = await call(url, zi.GET('/v1/me'))
  const file = writeConfig(ctx.env, { url, token })
  const scope = me.scope.all_units
    ? 'all units'
    : `${me.scope.unit_ids.length} unit subtree${me.scope.unit_ids.length === 1 ? '' : 's'}`
  ctx.err(`logged in to ${url} as ${me.name} (${me.role}, ${scope}); saved to ${file}`)
  return EXIT.ok
}

async function logout(ctx: Ctx, args: string[]): Promise<number> {
  parse(args, {}, 0)
  ctx.err(removeConfig(ctx.env) ? `removed ${configFile(ctx.env)}` : 'not logged in')
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
    throw usageError(`--kind must be one of ${kinds.join(', ')}`)
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
  ctx.err(`${items.length} unit${items.length === 1 ? '' : 's'}`)
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
  ctx.err(`${items.length} assessment${items.length === 1 ? '' : 's'}`)
  return EXIT.ok
}

async function answersPull(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { format: { type: 'string' }, out: { type: 'string' } }, 2)
  const id = idArg(positionals[0], '<assessment-id>')
  const stage = stageArg(positionals[1])
  const format =
    values.format === undefined && values.out === undefined
      ? 'csv'
      : (formatOf(values.format, values.out) ?? (values.format === undefined ? 'csv' : undefined))
  if (!format) throw usageError('--format must be csv or json')
  const { zi, url } = client(ctx)
  const { data } = await call(
    url,
    zi.GET('/v1/assessments/{id}/stages/{stage}/answers', { params: { path: { id, stage } } }),
  )
  const text =
    format === 'json'
      ? `${JSON.stringify(data, null, 2)}\n`
      : answersToCsv(data.answers, { recommendation: data.stage.kind === 'tpi' })
  const summary = `${data.answers.length} answer${data.answers.length === 1 ? '' : 's'} of stage ${stage} (${data.stage.status}, version ${data.stage.version}, total ${fmtNumber(data.stage.total)})`
  if (values.out) {
    try {
      writeFileSync(values.out, text)
    } catch (err) {
      throw usageError(`cannot write ${values.out}: ${(err as Error).message}`)
    }
    ctx.err(`wrote ${summary} to ${values.out}`)
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
    ['where', 'field', 'problem'],
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
  if (dryRun && values['idempotency-key'] !== undefined)
    throw usageError('--dry-run writes nothing: it takes no --idempotency-key')
  const id = idArg(positionals[0], '<assessment-id>')
  const stage = stageArg(positionals[1])
  const file = positionals[2]!
  const format = formatOf(values.format, file === '-' ? undefined : file)
  if (!format)
    throw usageError(
      values.format !== undefined
        ? '--format must be csv or json'
        : `cannot tell the format of ${file}: name it .csv or .json, or give --format csv|json`,
    )
  let text: string
  try {
    text = file === '-' ? await readStdin() : readFileSync(file, 'utf8')
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as Error).message}`)
  }
  let parsed: ParsedAnswers
  try {
    const opts = { ignoreVersions: values['ignore-versions'] ?? false }
    parsed = format === 'json' ? parseAnswersJson(text, opts) : parseAnswersCsv(text, opts)
  } catch (err) {
    if (err instanceof AnswerFileError)
      throw new CliError(EXIT.refused, `error: ${file}: ${err.message}\n${issuesTable(err.issues)}`)
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
            ['where', 'question', 'field', 'rule', 'message'],
            rows.map((r) => [r.where, r.question, r.field, r.rule, r.message]),
          ),
        ]
        if (res.status === 412)
          lines.push(
            'someone changed these answers since the file was pulled: pull again, or push with --ignore-versions to overwrite',
          )
        return failure(res, error, lines)
      }
      return failure(res, error)
    },
  )
  const replayed = response.headers.get('idempotent-replayed') === 'true'
  const unchanged = `${data.unchanged.length} unchanged`
  if (values.json) ctx.out(`${JSON.stringify(data, null, 2)}\n`)
  else if (dryRun && data.diff.length > 0) ctx.out(`${diffTable(data.diff)}\n`)
  if (dryRun) {
    ctx.err(
      `dry run: ${data.changed} answer${data.changed === 1 ? '' : 's'} of stage ${stage} would change, ${unchanged}; nothing was written (stage version ${data.stage.version})`,
    )
  } else if (data.changed === 0) {
    ctx.err(
      `nothing to write: every answer in the file is as stored (${unchanged}); stage ${stage} stays at version ${data.stage.version}`,
    )
  } else if (replayed) {
    ctx.err(
      `already pushed: the server replayed the first response to this file (Idempotency-Key ${key}); nothing was written again. To push the same file again on purpose, give a new --idempotency-key.`,
    )
  } else {
    ctx.err(
      `wrote ${data.answers.length} answer${data.answers.length === 1 ? '' : 's'} to stage ${stage} (version ${data.stage.version}, total ${fmtNumber(data.stage.total)}), ${unchanged}; Idempotency-Key ${key}`,
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
  return table(['question', 'field', 'from', 'to'], rows)
}

async function score(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { explain: { type: 'boolean' }, json: { type: 'boolean' } }, 2)
  const id = idArg(positionals[0], '<assessment-id>')
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
        ['total', `${fmtNumber(s.total)} of ${fmtNumber(s.max_total)}`],
        ['eligible for', s.eligibility.predicate],
        [
          'unanswered',
          `${s.unanswered.length}${s.unanswered.length ? `: ${s.unanswered.slice(0, 15).join(' ')}${s.unanswered.length > 15 ? ' … (--json lists all)' : ''}` : ''}`,
        ],
      ],
    )
      .split('\n')
      .slice(1)
      .join('\n'),
    table(
      ['rule', 'for', 'result', 'actual', 'required', 'description'],
      s.eligibility.rules.map((r) => [
        r.rule,
        r.predicate,
        r.passed ? 'PASS' : 'FAIL',
        fmtNumber(r.actual),
        fmtNumber(r.required),
        r.description,
      ]),
    ),
    table(
      ['component', 'level', 'value', 'max', 'name'],
      s.components.map((c) => [c.code, c.level, fmtNumber(c.value), fmtNumber(c.max), c.name]),
    ),
  ]
  if (values.explain && s.explanation) {
    parts.push(
      table(
        ['question', 'answer', 'value', 'explanation'],
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
        ['node', 'level', 'value', 'max', 'how'],
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
  const id = idArg(positionals[0], '<assessment-id>')
  const stage = stageArg(positionals[1])
  const target = (values.target ?? 'WBK').toUpperCase()
  if (target !== 'WBK' && target !== 'WBBM') throw usageError(`--target must be WBK or WBBM, not ${values.target}`)
  const max = values['max-changes']
  if (max !== undefined && !/^\d+$/.test(max)) throw usageError(`--max-changes must be a whole number, not ${max}`)
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
    throw usageError(`cannot read ${file}: ${(err as Error).message}`)
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
              ['line', 'column', 'rule', 'message'],
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
    `${data.dry_run ? 'dry run, nothing written: ' : ''}${s.rows} rows of ${data.instansi.code}: ${s.new} new, ${s.moved} moved, ${s.changed} changed, ${s.unchanged} unchanged, ${s.restored} restored; ${s.missing} registered but not in the file${s.archived ? ` (${s.archived} archived)` : ''}`,
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
    throw usageError(`--date must be the ceremony's date as YYYY-MM-DD, not ${JSON.stringify(values.date ?? '')}`)
  const target = (values.target ?? 'WBK').toUpperCase()
  if (target !== 'WBK' && target !== 'WBBM') throw usageError(`--target must be WBK or WBBM, not ${values.target}`)
  const kind = values.kind ?? 'opd'
  if (kind !== 'opd' && kind !== 'unit') throw usageError(`--kind must be opd or unit, not ${kind}`)
  if (!values.instansi && !values.unit?.length) throw usageError('name the units: --instansi <id> or --unit <id>...')
  const wbbm = new Set((values.wbbm ?? []).map((id) => idArg(id, '--wbbm')))
  const documents: DeclareDocument[] = (values.document ?? []).map((d) => {
    const eq = d.indexOf('=')
    const docKind = d.slice(0, eq)
    if (eq < 0 || !DOCUMENT_KINDS.includes(docKind as never))
      throw usageError(`--document must be <kind>=<url> with kind one of ${DOCUMENT_KINDS.join(', ')}, not ${d}`)
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
    if (ids.length === 0) throw usageError(`the instansi ${instansi} has no active ${kind} in your scope`)
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
      ['code', 'name', 'target', 'verdict', 'why'],
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
      ? `dry run, nothing written: ${data.declared} unit${data.declared === 1 ? '' : 's'} can be declared, ${data.refused} refused`
      : `declared ${data.declared} unit${data.declared === 1 ? '' : 's'} for ${target} on ${values.date}; Idempotency-Key ${key}`,
  )
  return EXIT.ok
}

async function surveyResults(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { csv: { type: 'boolean' }, json: { type: 'boolean' } }, 1)
  const id = idArg(positionals[0], '<campaign-id>')
  if (values.csv && values.json) throw usageError('give --csv or --json, not both')
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
      tsvLine(['campaign', `${r.campaign_name} (${r.unit_name})`]),
      tsvLine(['respondents', `${r.respondents} of at least ${r.minimum}${r.voided ? `, ${r.voided} voided` : ''}`]),
      tsvLine(['final', `${r.final ? 'yes' : 'no'}: ${r.reason}`]),
      tsvLine(['computed_at', r.computed_at]),
    ].join('\n'),
    table(
      ['service_type', 'respondents', 'share_%'],
      r.composition.by_service_type.map((c) => [
        c.service_type ?? '(not stated)',
        String(c.respondents),
        fmtNumber(c.share, 1),
      ]),
    ),
  ]
  for (const idx of [r.ipak, r.ipkp]) {
    if (!idx) continue
    parts.push(
      `${idx.title} → ${idx.lke_question} = ${idx.index_rounded === null ? '–' : fmtNumber(idx.index_rounded, 2)}\n${table(
        ['aspect', 'mean'],
        idx.aspects.map((a) => [a.aspect, a.mean === null ? '' : fmtNumber(a.mean, 2)]),
      )}`,
    )
  }
  ctx.out(`${parts.join('\n\n')}\n`)
  return EXIT.ok
}

async function surveyProgress(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, 1)
  const id = idArg(positionals[0], '<period-id>')
  const { zi, url } = client(ctx)
  const { data } = await call(
    url,
    zi.GET('/v1/survey/periods/{period_id}/progress', { params: { path: { period_id: id } } }),
  )
  ctx.out(
    values.json
      ? `${JSON.stringify(data, null, 2)}\n`
      : `${table(
          ['unit', 'campaign', 'state', 'respondents', 'of', 'justified'],
          data.units.map((u) => [
            u.unit_name,
            u.campaign_name ?? '(none)',
            u.state ?? '',
            String(u.respondents),
            String(u.minimum),
            u.justified ? 'yes' : '',
          ]),
        )}\n`,
  )
  return EXIT.ok
}

async function proposalCheck(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, 1)
  const id = idArg(positionals[0], '<declaration-id>')
  const { zi, url } = client(ctx)
  const { data: v } = await call(url, zi.GET('/v1/declarations/{id}/proposal-check', { params: { path: { id } } }))
  if (values.json) ctx.out(`${JSON.stringify(v, null, 2)}\n`)
  else
    ctx.out(
      `${table(
        ['check', 'result', 'message'],
        v.checks.map((c) => [c.check, c.passed ? 'PASS' : 'FAIL', c.message]),
      )}\n`,
    )
  ctx.err(
    v.ready
      ? `ready to propose (${v.kategori ?? v.target})`
      : `not ready: ${v.failing.length} failing check${v.failing.length === 1 ? '' : 's'} (${v.failing.join(', ')})`,
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

export async function main(argv: string[], env: Env = process.env): Promise<number> {
  const ctx: Ctx = {
    env,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(`${text}\n`),
  }
  const [first, second] = argv
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    ;(first === undefined ? ctx.err : (t: string) => ctx.out(`${t}\n`))(USAGE)
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
    ctx.err(`zi: unknown command ${JSON.stringify(name.trim())}\n\n${USAGE}`)
    return EXIT.usage
  }
  const rest = argv.slice(twoWords ? 2 : 1)
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.out(`${USAGE}\n`)
    return EXIT.ok
  }
  try {
    return await command(ctx, rest)
  } catch (err) {
    if (err instanceof CliError) {
      ctx.err(err.exitCode === EXIT.usage ? `zi ${name}: ${err.message}\n(zi --help for usage)` : err.message)
      return err.exitCode
    }
    ctx.err(`zi ${name}: unexpected error: ${(err as Error).stack ?? String(err)}`)
    return EXIT.unavailable
  }
}
