/**
 * `zi actions …`: the rencana aksi from the command line (docs/action-plans.md): list a unit's
 * actions (overdue ones too), add one, propose them from the improvement plan of a stage, and
 * record a month's realisation. Registered in ./main.ts; data to stdout, messages to stderr.
 * Every line for people comes from the catalogue (./messages/actions.ts, `t()`); --json, the
 * server's values (area codes, statuses) and the exit codes do not change with the language.
 */
import type { operations } from '../../index.js'
import { call, client, type Ctx, idArg, parse, type Result, UUID } from './command.js'
import { EXIT, usageError } from './exit.js'
import { headers, t } from './i18n.js'
import { fmtNumber, table } from './output.js'

type ActionView = operations['listActions']['responses'][200]['content']['application/json']['items'][number]
type Action = Pick<
  ActionView,
  'id' | 'area' | 'question_code' | 'title' | 'pic' | 'target_date' | 'status' | 'progress_percent' | 'overdue'
>

const AREAS = [
  'manajemen_perubahan',
  'penataan_tatalaksana',
  'penataan_sdm',
  'penguatan_akuntabilitas',
  'penguatan_pengawasan',
  'pelayanan_publik',
] as const
type Area = (typeof AREAS)[number]

/** The data of a successful call (errors thrown as CliError). */
const callData = async <T>(url: string, request: Promise<Result<T>>): Promise<T> => (await call(url, request)).data

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
  const { zi, url } = client(ctx)
  const items: ActionView[] = []
  let cursor: string | undefined
  do {
    const page = await callData(
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
  const { zi, url } = client(ctx)
  const action = await callData(url, zi.POST('/v1/actions', { body }))
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
  const { zi, url } = client(ctx)
  const outcome = await callData(
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
  const { zi, url } = client(ctx)
  const action = await callData(
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
