/**
 * What every `zi` command shares: its context, the argument parser, the client built from the saved
 * login, one call with its errors as CliError (exit codes in ./exit.ts), and the id and stage
 * arguments. main.ts and the command files (actions.ts, report.ts) use the same functions.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { createZiClient, isProblem, normaliseBaseUrl, type Schemas, type ZiClient } from '../../index.js'
import { configFile, resolveCredentials } from './config.js'
import { CliError, EXIT, exitCodeForStatus, usageError } from './exit.js'
import { currentLanguage, headers, t } from './i18n.js'
import { table } from './output.js'

export type Env = Record<string, string | undefined>
export interface Ctx {
  env: Env
  out: (text: string) => void
  err: (text: string) => void
}
export type StageKind = Schemas['Stage']['kind']
export const STAGES = ['self', 'tpi', 'tpn', 'sanggah'] as const satisfies readonly StageKind[]
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  positionals: number,
) {
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

export function client(
  ctx: Ctx,
  creds = resolveCredentials(ctx.env, ctx.err),
  source = ctx.env.ZI_URL ? 'ZI_URL' : configFile(ctx.env),
): { zi: ZiClient; url: string } {
  const problem = urlProblem(creds.url)
  if (problem) throw usageError(t(problem, { url: JSON.stringify(creds.url), source }))
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

/** A failed response as a CliError with the problem's code and detail. */
export function failure(response: Response, error: unknown, extraLines: string[] = []): CliError {
  const code = exitCodeForStatus(response.status)
  if (isProblem(error)) {
    const lines = [
      t('cli:error.problem', {
        status: response.status,
        code: error.code,
        detail: error.detail,
        request: error.request_id ? t('cli:error.request', { id: error.request_id }) : '',
      }),
    ]
    if (extraLines.length > 0) lines.push(...extraLines)
    else if (error.errors?.length)
      lines.push(
        table(
          headers('cli:col.field', 'cli:col.rule', 'cli:col.message'),
          error.errors.map((e) => [e.pointer, e.rule, e.message]),
        ),
      )
    return new CliError(code, lines.join('\n'))
  }
  return new CliError(
    code,
    t('cli:error.http', {
      status: response.status,
      text: response.statusText || '',
      origin: new URL(response.url || 'http://server/').origin,
    }),
  )
}

export function networkFailure(url: string, err: unknown): CliError {
  const e = err as Error & { cause?: { code?: string; message?: string } }
  const why = e.name === 'TimeoutError' ? t('cli:error.timeout') : (e.cause?.code ?? e.cause?.message ?? e.message)
  return new CliError(EXIT.unavailable, t('cli:error.unreachable', { url, why }))
}

export type Result<T> = { data?: T; error?: unknown; response: Response }
export async function call<T>(
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

export function stageArg(value: string | undefined): StageKind {
  if (!STAGES.includes(value as StageKind))
    throw usageError(t('cli:args.stage', { list: STAGES.join(', '), value: JSON.stringify(value ?? '') }))
  return value as StageKind
}

export function idArg(value: string | undefined, what: string): string {
  if (!value || !UUID.test(value)) throw usageError(t('cli:args.uuid', { what, value: JSON.stringify(value ?? '') }))
  return value
}
