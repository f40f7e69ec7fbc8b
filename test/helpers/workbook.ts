import { deflateRawSync } from 'node:zlib'
import { readFileSync } from 'node:fs'
import { eq } from 'drizzle-orm'
import ExcelJS from 'exceljs'
import type { Test } from 'tap'
import type { AnswerValue, InstrumentDefinition } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { buildTestApp, type TestContext } from './app.js'
import { bearer, createToken } from './auth.js'
import { multipartBody } from './multipart.js'
import { insertPeriod } from './periods.js'
import { insertSmallTree } from './units.js'

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** A golden answer set (test/fixtures/golden), unanswered questions left out. */
export function goldenAnswers(name: string): Record<string, Exclude<AnswerValue, null>> {
  const fx = JSON.parse(readFileSync(new URL(`../fixtures/golden/${name}.json`, import.meta.url), 'utf8')) as {
    answers: Record<string, AnswerValue>
  }
  return Object.fromEntries(
    Object.entries(fx.answers).filter((e): e is [string, Exclude<AnswerValue, null>] => e[1] !== null),
  )
}

export type Headers = Record<string, string>

/** An app on its own database with the seeded LKE-ZI-2026, a period with every window open, a small unit tree and tokens. */
export async function setup(t: Test, env: Record<string, string> = {}) {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000', ...env })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const [seeded] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  const instrumentVersionId = seeded!.id
  const period = await insertPeriod(ctx, { instrumentVersionId })
  const admin = bearer(await createToken(ctx, 'admin'))

  /** POST /v1/assessments as admin; returns the assessment's URL */
  const open = async (unitId: string, periodId = period.id): Promise<string> => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: admin,
      payload: { period_id: periodId, unit_id: unitId },
    })
    if (res.statusCode !== 201) throw new Error(res.body)
    return `/v1/assessments/${res.json().id}`
  }
  const batch = async (
    url: string,
    stage: string,
    items: {
      question_code: string
      value: AnswerValue
      note?: string | null
      recommendation?: string | null
      evidence_ids?: string[]
    }[],
    headers: Headers = admin,
  ) => {
    const res = await app.inject({
      method: 'POST',
      url: `${url}/stages/${stage}/answers/batch`,
      headers,
      payload: { answers: items },
    })
    if (res.statusCode !== 200) throw new Error(res.body)
    return res.json()
  }
  const answersOf = async (url: string, stage: string, headers: Headers = admin) => {
    const res = await app.inject({ method: 'GET', url: `${url}/stages/${stage}/answers`, headers })
    if (res.statusCode !== 200) throw new Error(res.body)
    return res.json() as {
      stage: { version: number; total: number }
      answers: {
        question_code: string
        value: AnswerValue
        note: string | null
        evidence_ids: string[]
        version: number
      }[]
    }
  }
  const score = async (url: string, stage: string, explain = false) => {
    const res = await app.inject({
      method: 'GET',
      url: `${url}/stages/${stage}/score${explain ? '?explain=true' : ''}`,
      headers: admin,
    })
    if (res.statusCode !== 200) throw new Error(res.body)
    return res.json() as {
      total: number
      explanation?: { nodes: { code: string; value: number }[]; questions: { code: string; value: number | null }[] }
    }
  }
  /** GET …/lke.xlsx; layout 'official' unless given (null: the route's default) */
  const exportXlsx = (
    url: string,
    stage: string,
    headers: Headers = admin,
    layout: 'official' | 'generated' | null = 'official',
  ) =>
    app.inject({ method: 'GET', url: `${url}/stages/${stage}/lke.xlsx${layout ? `?layout=${layout}` : ''}`, headers })
  /** POST …/lke.xlsx; `query` e.g. 'identity=override' or 'dry_run=true' */
  const importXlsx = (
    url: string,
    stage: string,
    content: Buffer,
    headers: Headers = admin,
    name = 'lke.xlsx',
    query = '',
  ) => {
    const form = multipartBody({}, { name, type: XLSX, content })
    return app.inject({
      method: 'POST',
      url: `${url}/stages/${stage}/lke.xlsx${query ? `?${query}` : ''}`,
      headers: { ...headers, ...form.headers },
      payload: form.payload,
    })
  }
  const transition = async (url: string, stage: string, to: string, headers: Headers = admin, reason?: string) => {
    const res = await app.inject({
      method: 'POST',
      url: `${url}/stages/${stage}/transitions`,
      headers,
      payload: { to, ...(reason ? { reason } : {}) },
    })
    if (res.statusCode !== 200) throw new Error(res.body)
  }
  const startStage = async (url: string, kind: string, copyFrom?: string, headers: Headers = admin) => {
    const res = await app.inject({
      method: 'POST',
      url: `${url}/stages`,
      headers,
      payload: { kind, ...(copyFrom ? { copy_from: copyFrom } : {}) },
    })
    if (res.statusCode !== 201) throw new Error(res.body)
  }
  return {
    ctx,
    app,
    tree,
    period,
    instrumentVersionId,
    admin,
    open,
    batch,
    answersOf,
    score,
    exportXlsx,
    importXlsx,
    transition,
    startStage,
  }
}

export type Setup = Awaited<ReturnType<typeof setup>>

/**
 * A version that differs from LKE-ZI-2026 in every way the generated workbook must follow: two sibling
 * sub-areas' weights swapped, a question added (QX1, A–D with its own multipliers) and one removed (Q2),
 * ratio R36a's formula changed (if, or, not, comparisons, min, max), and predicate rules changed (a lower
 * WBK total, a new share-of-weight rule over two nodes, the WBBM IPAK rule dropped).
 */
export function variantDefinition(code: string): InstrumentDefinition {
  const def = loadSeedInstrument()
  def.code = code
  def.name = `LKE varian ${code}`
  const subAreas = def.nodes.filter((n) => n.level === 'sub_area')
  const pair = subAreas.flatMap((a) =>
    subAreas
      .filter((b) => b.parentCode === a.parentCode && b.code !== a.code && b.bobot !== a.bobot)
      .map((b) => [a, b] as const),
  )[0]!
  const [x, y] = pair
  ;[x.bobot, y.bobot] = [y.bobot, x.bobot]
  def.nodes = def.nodes.filter((n) => n.code !== 'Q2')
  def.nodes.push({
    code: 'QX1',
    parentCode: 'N4',
    level: 'question',
    name: 'Pertanyaan tambahan versi ini',
    order: 99,
    bobot: null,
    answerType: 'abcd',
    options: [
      { value: 'A', multiplier: 1 },
      { value: 'B', multiplier: 0.6 },
      { value: 'C', multiplier: 0.3 },
      { value: 'D', multiplier: 0 },
    ],
    kriteriaNilai: 'A jika lengkap; B sebagian; C sedikit; D tidak ada',
  })
  def.nodes.find((n) => n.code === 'R36a')!.formula =
    'if(or(Q88 = 0, not(Q89 >= 0)), 0, min(1, max(0, (Q89 - 1) / Q88 * 1.5)))'
  def.predicateRules = def.predicateRules
    .filter((r) => r.id !== 'wbbm-ipak')
    .map((r) => (r.id === 'wbk-total' ? { ...r, min: 60 } : r))
  def.predicateRules.push({
    id: 'wbk-hasil-share',
    predicate: 'WBK',
    description: 'Hasil (N61 + N62) minimal 70% dari bobotnya',
    target: { kind: 'nodes', codes: ['N61', 'N62'] },
    measure: 'share_of_weight',
    min: 0.7,
    source: 'test variant',
    confidence: 'TEST',
  })
  return def
}

/** A version row straight into the table (published, or draft), for a definition. */
export async function insertDefinition(
  ctx: Pick<TestContext, 'app'>,
  def: InstrumentDefinition,
  status: 'published' | 'draft' = 'published',
): Promise<string> {
  const [row] = await ctx.app.db
    .insert(instrumentVersions)
    .values({
      code: def.code,
      name: def.name,
      year: def.year,
      status,
      definition: def,
      digest: def.code.padEnd(64, '0').slice(0, 64),
      source: 'clone',
      publishedAt: status === 'published' ? new Date() : null,
    })
    .returning()
  return row!.id
}
export type { TestContext }

export async function loadXlsx(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  return wb
}

export async function saveXlsx(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer())
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(data: Buffer): number {
  let c = 0xffffffff
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A ZIP archive (stored or deflated entries, with their CRC-32), for files that are not what they claim. */
export interface ZipInput {
  name: string
  data: Buffer
  deflated?: Buffer
  /** the data's CRC-32, when already known */
  crc?: number
}

export function zipOf(entries: ZipInput[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.from(e.name)
    const body = e.deflated ?? e.data
    const crc = e.crc ?? crc32(e.data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(e.deflated ? 8 : 0, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(e.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(e.deflated ? 8 : 0, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(e.data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, body)
    centrals.push(central, name)
    offset += local.length + name.length + body.length
  }
  const dir = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(dir.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, dir, end])
}

/** A small RFC 4180 parser (quoted fields, doubled quotes, CRLF inside quotes). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      record.push(field)
      field = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i++
    } else field += ch
  }
  if (field !== '' || record.length > 0) throw new Error('the CSV does not end with CRLF')
  return records
}

/**
 * A real .xlsx of plain text rows (no LKE): one sheet named `sheetName` with `rows` rows of
 * `columns` inline-string cells (a word each), deflated. Written as XML directly (exceljs would take
 * many seconds and hundreds of MB for the large ones). It compresses about 19×: 173,000 rows are a
 * 3.5 MB upload that unpacks to 65 MB, the shape that took the process down (issue 30).
 */
export function plainWorkbook(sheetName: string, rows: number, columns = 8): Buffer {
  const key = `${rows}×${columns}`
  const sheet = plainSheets.get(key) ?? plainSheet(rows, columns)
  plainSheets.set(key, sheet)
  const xml = (s: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${s}`)
  return zipOf([
    {
      name: '[Content_Types].xml',
      data: xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
      ),
    },
    {
      name: '_rels/.rels',
      data: xml(
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: xml(
        `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${sheetName}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: xml(
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
      ),
    },
    sheet,
  ])
}

/** the sheet entries made so far, by size: the XML and its deflated form are the slow part */
const plainSheets = new Map<string, ZipInput>()

function plainSheet(rows: number, columns: number): ZipInput {
  const parts: string[] = []
  let seed = 7
  const word = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return WORDS[seed % WORDS.length]!
  }
  for (let r = 1; r <= rows; r++) {
    let row = `<row r="${r}">`
    for (let c = 0; c < columns; c++) row += `<c t="inlineStr"><is><t>${word()}</t></is></c>`
    parts.push(`${row}</row>`)
  }
  const data = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${parts.join('')}</sheetData></worksheet>`,
  )
  return { name: 'xl/worksheets/sheet1.xml', data, deflated: deflateRawSync(data, { level: 6 }), crc: crc32(data) }
}

const WORDS = (
  'anggaran kinerja pelayanan publik integritas zona wilayah birokrasi bersih melayani evaluasi ' +
  'pengawasan akuntabilitas manajemen perubahan penataan tatalaksana sumber daya aparatur ' +
  'kualitas survei indeks persepsi korupsi gratifikasi pengaduan masyarakat inovasi unit kerja ' +
  'laporan rencana aksi capaian target realisasi dokumen bukti dukung tautan berkas tahun'
).split(' ')
