/**
 * `zi report …`: the TPI's LHE internal of a unit, the instansi's draft surat usulan and SPTJM, as
 * the PDF the server renders (written to a file) or its data as JSON (docs/reports.md).
 * Registered in main.ts, which lends its argument parser, client and error handling. Lines for
 * people come from the catalogue (./messages/report.ts, `t()`); the PDF, --json and exit codes do not
 * change with the language.
 */
import { writeFileSync } from 'node:fs'
import type { ParseArgsConfig } from 'node:util'
import type { ZiClient } from '../../index.js'
import { EXIT, usageError } from './exit.js'
import { t } from './i18n.js'

interface Ctx {
  out: (text: string) => void
  err: (text: string) => void
}
type Result<T> = { data?: T; error?: unknown; response: Response }

/** What main.ts lends: its parser, its client and its call (errors as CliError, exit codes). */
export interface ReportDeps<C extends Ctx> {
  parse: <O extends NonNullable<ParseArgsConfig['options']>>(
    args: string[],
    options: O,
    positionals: number,
  ) => { values: Record<string, unknown>; positionals: string[] }
  client: (ctx: C) => { zi: ZiClient; url: string }
  call: <T>(url: string, request: Promise<Result<T>>) => Promise<{ data: T; response: Response }>
  idArg: (value: string | undefined, what: string) => string
}

/** The file name the server gave (Content-Disposition), else the fallback. */
export function attachmentName(header: string | null, fallback: string): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header ?? '')
  const plain = /filename="([^"]+)"/i.exec(header ?? '')
  const name = star ? decodeURIComponent(star[1]!) : (plain?.[1] ?? fallback)
  // a name, never a path
  return name.replace(/[/\\]/g, '_').replace(/^\.+/, '') || fallback
}

function write(ctx: Ctx, file: string, bytes: Uint8Array | string, what: string): void {
  try {
    writeFileSync(file, bytes)
  } catch (err) {
    throw usageError(t('cli:args.cannot_write', { file, why: (err as Error).message }))
  }
  ctx.err(t('report:wrote', { what, file }))
}

export function reportCommands<C extends Ctx>(
  deps: ReportDeps<C>,
): Record<string, (ctx: C, args: string[]) => Promise<number>> {
  const OPTIONS = { out: { type: 'string' }, json: { type: 'boolean' } } as const

  async function lhe(ctx: C, args: string[]): Promise<number> {
    const { values, positionals } = deps.parse(args, OPTIONS, 1)
    const id = deps.idArg(positionals[0], t('cli:placeholder.assessment_id'))
    const { zi, url } = deps.client(ctx)
    const path = { id }
    if (values.json) {
      const { data } = await deps.call(url, zi.GET('/v1/assessments/{id}/stages/tpi/lhe', { params: { path } }))
      const text = `${JSON.stringify(data, null, 2)}\n`
      if (typeof values.out === 'string') write(ctx, values.out, text, t('report:lhe_data'))
      else ctx.out(text)
      ctx.err(`${data.unit.name}: ${data.conclusion.verdict} (${data.target})`)
      return EXIT.ok
    }
    const { data, response } = await deps.call(
      url,
      zi.GET('/v1/assessments/{id}/stages/tpi/lhe.pdf', { params: { path }, parseAs: 'arrayBuffer' }),
    )
    const file =
      typeof values.out === 'string'
        ? values.out
        : attachmentName(response.headers.get('content-disposition'), 'LHE.pdf')
    write(ctx, file, new Uint8Array(data as ArrayBuffer), t('report:lhe_pdf'))
    return EXIT.ok
  }

  const letter =
    (kind: 'surat-usulan' | 'sptjm') =>
    async (ctx: C, args: string[]): Promise<number> => {
      const { values, positionals } = deps.parse(
        args,
        { ...OPTIONS, declaration: { type: 'string', multiple: true } },
        2,
      )
      const path = {
        period_id: deps.idArg(positionals[0], t('cli:placeholder.period_id')),
        instansi_id: deps.idArg(positionals[1], t('report:instansi_id')),
      }
      const ids = ((values.declaration as string[] | undefined) ?? []).map((d) => deps.idArg(d, '--declaration'))
      const query = ids.length ? { declaration_id: ids } : {}
      const { zi, url } = deps.client(ctx)
      const [dataLabel, pdfLabel] =
        kind === 'sptjm'
          ? [t('report:sptjm_data'), t('report:sptjm_pdf')]
          : [t('report:surat_data'), t('report:surat_pdf')]
      if (values.json) {
        const request =
          kind === 'sptjm'
            ? zi.GET('/v1/periods/{period_id}/instansi/{instansi_id}/sptjm', { params: { path, query } })
            : zi.GET('/v1/periods/{period_id}/instansi/{instansi_id}/surat-usulan', { params: { path, query } })
        const { data } = await deps.call<{ units: { unit: { name: string } }[] }>(url, request as never)
        const text = `${JSON.stringify(data, null, 2)}\n`
        if (typeof values.out === 'string') write(ctx, values.out, text, dataLabel)
        else ctx.out(text)
        ctx.err(t('report:units', { count: data.units.length, names: data.units.map((u) => u.unit.name).join(', ') }))
        return EXIT.ok
      }
      const { data, response } = await deps.call(
        url,
        kind === 'sptjm'
          ? zi.GET('/v1/periods/{period_id}/instansi/{instansi_id}/sptjm.pdf', {
              params: { path, query },
              parseAs: 'arrayBuffer',
            })
          : zi.GET('/v1/periods/{period_id}/instansi/{instansi_id}/surat-usulan.pdf', {
              params: { path, query },
              parseAs: 'arrayBuffer',
            }),
      )
      const file =
        typeof values.out === 'string'
          ? values.out
          : attachmentName(response.headers.get('content-disposition'), `${kind}.pdf`)
      write(ctx, file, new Uint8Array(data as ArrayBuffer), pdfLabel)
      return EXIT.ok
    }

  return { 'report lhe': lhe, 'report surat-usulan': letter('surat-usulan'), 'report sptjm': letter('sptjm') }
}
