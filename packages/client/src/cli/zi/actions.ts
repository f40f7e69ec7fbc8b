/**
 * `zi actions …`: the rencana aksi from the command line (docs/action-plans.md): list a unit's
 * actions (overdue ones too), add one, propose them from the improvement plan of a stage, and
 * record a month's realisation. Registered in ./main.ts; data to stdout, messages to stderr.
 * Every line for people comes from the catalogue (./messages/actions.ts, `t()`); --json, the
 * server's values (area codes, statuses) and the exit codes do not change with the language.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { createZiClient, isProblem, normaliseBaseUrl, type operations, type ZiClient } from '../../index.js'
import { configFile, resolveCredentials } from './config.js'
import { CliError, EXIT, exitCodeForStatus, usageError } from './exit.js'
import { currentLanguage, headers, t } from './i18n.js'
import { fmtNumber, table } from './output.js'

type Env = Record<string, string | undefined>
interface Ctx {
  env: Env
  out: (text: string) => void
  err: (text: string) => void
}
type ActionView = operations['listActions']['responses'][200]['content']['application/json']['items'][number]
type Action = Pick<
  ActionView,
  'id' | 'area' | 'question_code' | 'title' | 'pic' | 'target_date' | 'status' | 'progress_percent' | 'overdue'
>

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const AREAS = [
  'manajemen_perubahan',
  'penataan_tatalaksana',
  'penataan_sdm',
  'penguatan_akuntabilitas',
  'penguatan_pengawasan',
  'pelayanan_publik',
] as const
type Area = (typeof AREAS)[number]

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, positionals: number) {
  let parsed
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (err) {
    const e = err as Error & { code?: string }
    const option = /'([^']+)'/.exec(e.message)?.[1]
    throw usageError(
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option
        ? t('cli:args.unknown_option', { option })
        : t('cli:args.invalid', { detail: e.message }),
    )
  }
  if (parsed.positionals.length !== positionals) {
    throw usageError(
      t('cli:args.count', {
        count: positionals,
        got: parsed.positionals.length,
        given: parsed.positionals.length ? ` (${parsed.positionals.join(' ')})` : '',
      }),
    )
  }
  return parsed
}

/** Why a server URL cannot be used (the checks of normaliseBaseUrl), as a catalogue key. */
function urlProblem(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'cli:url.not_url'
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'cli:url.not_http'
  if (url.search || url.hash) return 'cli:url.query'
  return undefined
}

function connect(ctx: Ctx): { zi: ZiClient; url: string } {
  const creds = resolveCredentials(ctx.env, ctx.err)
  const problem = urlProblem(creds.url)
  if (problem)
    throw usageError(
      t(problem, { url: JSON.stringify(creds.url), source: ctx.env.ZI_URL ? 'ZI_URL' : configFile(ctx.env) }),
    )
  const zi = createZiClient({
    baseUrl: creds.url,
    token: creds.token,
    retries: 2,
    timeoutMs: 120_000,
    headers: { 'user-agent': 'zi-cli' },
    // Problems come back in the language the CLI speaks.
    language: currentLanguage(),
  })
  return { zi, url: normaliseBaseUrl(creds.url) }
}

type Result<T> = { data?: T; error?: unknown; response: Response }
async function call<T>(url: string, request: Promise<Result<T>>): Promise<T> {
  let result: Result<T>
  try {
    result = await request
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } }
    const why = e.name === 'TimeoutError' ? t('cli:error.timeout') : (e.cause?.code ?? e.cause?.message ?? e.message)
    throw new CliError(EXIT.unavailable, t('cli:error.unreachable', { url, why }))
  }
  if (!result.response.ok) {
    const { response, error } = result
    if (!isProblem(error))
      throw new CliError(
        exitCodeForStatus(response.status),
        t('cli:error.http', {
          status: response.status,
          text: response.statusText || '',
          origin: new URL(response.url || url).origin,
        }),
      )
    const lines = [
      t('cli:error.problem', {
        status: response.status,
        code: error.code,
        detail: error.detail,
        request: error.request_id ? t('cli:error.request', { id: error.request_id }) : '',
      }),
    ]
    if (error.errors?.length) {
      lines.push(
        table(
          headers('cli:col.field', 'cli:col.rule', 'cli:col.message'),
          error.errors.map((e) => [e.pointer, e.rule, e.message]),
        ),
      )
    }
    throw new CliError(exitCodeForStatus(response.status), lines.join('\n'))
  }
  return result.data as T
}

const idArg = (value: string | undefined, what: string): string => {
  if (!value || !UUID.test(value)) throw usageError(t('cli:args.uuid', { what, value: JSON.stringify(value ?? '') }))
  return value
}
const dateArg = (value: string | undefined, what: string): string => {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw usageError(t('actions:date', { what, value: JSON.stringify(value ?? '') }))
  return value
}
const areaArg = (value: string | undefined): Area | undefined => {
  if (value === undefined) return undefined
  if (!AREAS.includes(value as Area))
    throw usageError(t('cli:args.one_of', { option: '--area', list: AREAS.join(', ') }))
  return value as Area
}
const required = (value: string | undefined, what: string): string => {
  if (!value?.trim()) throw usageError(t('actions:required', { what }))
  return value
}

function actionTable(items: Action[]): string {
  return table(
    headers(
      'cli:col.id',
      'cli:col.area',
      'cli:col.question',
      'cli:col.title',
      'cli:col.pic',
      'cli:col.due',
      'cli:col.status',
      'cli:col.progress',
      'cli:col.overdue',
    ),
    items.map((a) => [
      a.id,
      a.area,
      a.question_code ?? '',
      a.title,
      a.pic.name,
      a.target_date,
      a.status,
      a.progress_percent === null ? '' : `${a.progress_percent}%`,
      a.overdue ? t('actions:overdue_mark') : '',
    ]),
  )
}

async function list(ctx: Ctx, args: string[]): Promise<number> {
  const { values } = parse(
    args,
    {
      unit: { type: 'string' },
      period: { type: 'string' },
      area: { type: 'string' },
      overdue: { type: 'boolean' },
      'as-of': { type: 'string' },
      json: { type: 'boolean' },
    },
    0,
  )
  const { zi, url } = connect(ctx)
  const items: ActionView[] = []
  let cursor: string | undefined
  do {
    const page = await call(
      url,
      zi.GET('/v1/actions', {
        params: {
          query: {
            limit: 500,
            ...(values.unit ? { unit_id: idArg(values.unit, '--unit') } : {}),
            ...(values.period ? { period_id: idArg(values.period, '--period') } : {}),
            ...(values.area ? { area: areaArg(values.area) } : {}),
            ...(values.overdue ? { overdue: true } : {}),
            ...(values['as-of'] ? { as_of: dateArg(values['as-of'], '--as-of') } : {}),
            ...(cursor ? { cursor } : {}),
          },
        },
      }),
    )
    items.push(...page.items)
    cursor = page.next_cursor ?? undefined
  } while (cursor)
  ctx.out(values.json ? `${JSON.stringify(items, null, 2)}\n` : `${actionTable(items)}\n`)
  if (!values.json) ctx.err(t('actions:count', { count: items.length, overdue: items.filter((a) => a.overdue).length }))
  return EXIT.ok
}

async function create(ctx: Ctx, args: string[]): Promise<number> {
  const { values } = parse(
    args,
    {
      unit: { type: 'string' },
      period: { type: 'string' },
      area: { type: 'string' },
      question: { type: 'string' },
      title: { type: 'string' },
      pic: { type: 'string' },
      due: { type: 'string' },
      output: { type: 'string' },
      description: { type: 'string' },
      json: { type: 'boolean' },
    },
    0,
  )
  if (!values.area && !values.question) throw usageError(t('actions:need_area'))
  const area = areaArg(values.area)
  const body = {
    unit_id: idArg(values.unit, '--unit'),
    period_id: idArg(values.period, '--period'),
    title: required(values.title, '--title'),
    pic_name: required(values.pic, '--pic'),
    target_date: dateArg(values.due, '--due'),
    ...(area ? { area } : {}),
    ...(values.question ? { question_code: values.question } : {}),
    ...(values.output ? { expected_output: values.output } : {}),
    ...(values.description ? { description: values.description } : {}),
  }
  const { zi, url } = connect(ctx)
  const action = await call(url, zi.POST('/v1/actions', { body }))
  ctx.out(values.json ? `${JSON.stringify(action, null, 2)}\n` : `${action.id}\n`)
  if (!values.json) ctx.err(t('actions:created', { area: action.area_name, date: action.target_date }))
  return EXIT.ok
}

async function fromPlan(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      due: { type: 'string' },
      pic: { type: 'string' },
      stage: { type: 'string' },
      target: { type: 'string' },
      json: { type: 'boolean' },
    },
    1,
  )
  const stages = ['self', 'tpi', 'tpn', 'sanggah'] as const
  const stage = (values.stage ?? 'self') as (typeof stages)[number]
  if (!stages.includes(stage)) throw usageError(t('cli:args.one_of', { option: '--stage', list: stages.join(', ') }))
  const target = (values.target ?? 'WBK').toUpperCase()
  if (target !== 'WBK' && target !== 'WBBM') throw usageError(t('cli:args.target', { value: values.target }))
  const { zi, url } = connect(ctx)
  const outcome = await call(
    url,
    zi.POST('/v1/actions/from-plan', {
      body: {
        assessment_id: idArg(positionals[0], t('cli:placeholder.assessment_id')),
        stage,
        target,
        target_date: dateArg(values.due, '--due'),
        pic_name: required(values.pic, '--pic'),
      },
    }),
  )
  if (values.json) ctx.out(`${JSON.stringify(outcome, null, 2)}\n`)
  else if (outcome.created.length > 0) ctx.out(`${actionTable(outcome.created)}\n`)
  ctx.err(
    t('actions:proposed', {
      count: outcome.created.length,
      steps: t('actions:steps', { count: outcome.steps }),
      target,
      skipped: outcome.skipped.length,
      reach: outcome.reachable ? '' : t('actions:unreachable'),
    }),
  )
  return EXIT.ok
}

async function realise(ctx: Ctx, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { narrative: { type: 'string' }, evidence: { type: 'string', multiple: true }, json: { type: 'boolean' } },
    3,
  )
  const id = idArg(positionals[0], t('actions:action_id'))
  const month = positionals[1] ?? ''
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw usageError(t('actions:month', { value: JSON.stringify(month) }))
  const percent = Number(positionals[2])
  if (!Number.isInteger(percent) || percent < 0 || percent > 100)
    throw usageError(t('actions:percent', { value: JSON.stringify(positionals[2] ?? '') }))
  const evidence = (values.evidence ?? []).map((e) => (UUID.test(e) ? { evidence_id: e } : { url: e }))
  const { zi, url } = connect(ctx)
  const action = await call(
    url,
    zi.PUT('/v1/actions/{id}/realisations/{month}', {
      params: { path: { id, month } },
      body: {
        progress_percent: percent,
        ...(values.narrative ? { narrative: values.narrative } : {}),
        ...(evidence.length ? { evidence } : {}),
      },
    }),
  )
  ctx.out(values.json ? `${JSON.stringify(action, null, 2)}\n` : `${actionTable([action])}\n`)
  if (!values.json) ctx.err(t('actions:recorded', { month, percent: fmtNumber(percent, 0), status: action.status }))
  return EXIT.ok
}

/** The `zi actions …` commands, by their two words. */
export const ACTION_COMMANDS: Record<string, (ctx: Ctx, args: string[]) => Promise<number>> = {
  'actions list': list,
  'actions create': create,
  'actions from-plan': fromPlan,
  'actions realise': realise,
}
