/**
 * Import of PortalRB's master soal LKE ZI (the JSON PortalRB publishes, see shared/reference) plus an
 * overlay holding what the master soal lacks.
 *
 * CODES (deterministic, stable across re-imports and across years as long as PortalRB keeps its ids):
 *   tree node  `N<id>`  from the node's `id` (N1 = A. PENGUNGKIT, N2 = I. PEMENUHAN, …)
 *   question   `Q<id>`  from the soal's `id`, PortalRB's `soal_id` (also kept in external.portalrbSoalId)
 *   overlay    as the overlay names them (the seed's ratio questions are `R<node id>[a|b]`: R36a is the
 *              first ratio of sub-area N36)
 * Node ids and soal ids are separate sequences in the master soal (both start at 1), hence the prefixes.
 *
 * FIELDS: level ← `level`; name ← `nama` / `teks_pertanyaan`; order ← `order_index` for tree nodes,
 * the 1-based position in `soals` for questions; bobot ← `bobot_maksimal`, except that questions inside
 * a sub_area get `null`: the workbook averages a sub-area's questions and multiplies by the sub-area's
 * weight (`=AVERAGE(L8:L9)*H7`), so a question weight there means nothing (the master soal gives 0, and 1
 * to Q92, the only question of a weight-1 sub-area); questions directly under a komponen or
 * sub_komponen (Hasil) keep theirs, as the workbook multiplies them (`=CONV*H203`).
 * answerType ← `jenis_jawaban`, case-insensitive: YA_TIDAK → ya_tidak, ABC → abc, ABCD → abcd,
 * ABCDE → abcde, Jumlah/jumlah → count, 0-4 → survey_index, and also PERSEN or % → percentage,
 * RUPIAH → rupiah; anything else → `unknown_answer_type`. options ← `skema_penilaian` (key → value,
 * label, multiplier), for the option types only. kriteriaNilai ← `kriteria_nilai`. external ← soal id and
 * the `excel_*` cell map (columns as { jawaban_unit, jawaban_tpi, catatan_unit, bukti_dukung_unit, catatan_tpi }).
 *
 * OVERLAY (all optional; unknown fields are refused):
 *   { "code": "LKE-ZI-2026", "name": "…",
 *     "questions": [ { "code", "parentCode", "order", "name", "answerType", "formula"?, "formulaRequires"?,
 *                      "bobot"?, "scored"?, "kriteriaNilai"?, "evidenceGuidance"?, "external"?, "source"? } ],
 *     "predicateRules": [ PredicateRule ],
 *     "$comment"?, "notes"? }
 * `questions` are added to the tree (the ratio questions); `source` and the comments are documentation
 * and are not imported. Defaults: code `LKE-ZI-<tahun>`, name `LKE Zona Integritas <tahun>`.
 *
 * Everything is validated (validateInstrument) and any problem throws InstrumentValidationError, with
 * pointers into the master soal (`document: 'master_soal'`, e.g. `/data/0/children/1/soals/3/jenis_jawaban`)
 * or into the overlay (`document: 'overlay'`, e.g. `/questions/2/formula`). Without an overlay the real
 * master soal does not import: its Reform sub-areas made only of Jumlah inputs have nothing to score
 * (`no_scored_questions`) until an overlay adds their ratio questions.
 */
import { indexTree } from './tree.js'
import {
  InstrumentValidationError,
  type AnswerType,
  type ExternalRefs,
  type InstrumentDefinition,
  type InstrumentNode,
  type NodeLevel,
  type PredicateRule,
  type ValidationIssue,
} from './types.js'
import { validateInstrument } from './validate.js'

export interface OverlayQuestion {
  code: string
  parentCode: string
  order: number
  name: string
  answerType: AnswerType
  formula?: string
  formulaRequires?: string[]
  bobot?: number | null
  scored?: boolean
  kriteriaNilai?: string
  evidenceGuidance?: string
  external?: ExternalRefs
  /** where the formula comes from (documentation only) */
  source?: string
}

export interface InstrumentOverlay {
  code?: string
  name?: string
  questions?: OverlayQuestion[]
  predicateRules?: PredicateRule[]
  $comment?: string
  notes?: unknown
}

const JENIS: Record<string, AnswerType> = {
  YA_TIDAK: 'ya_tidak',
  'YA/TIDAK': 'ya_tidak',
  ABC: 'abc',
  'A/B/C': 'abc',
  ABCD: 'abcd',
  'A/B/C/D': 'abcd',
  ABCDE: 'abcde',
  'A/B/C/D/E': 'abcde',
  JUMLAH: 'count',
  '0-4': 'survey_index',
  'NILAI (0-4)': 'survey_index',
  PERSEN: 'percentage',
  '%': 'percentage',
  RUPIAH: 'rupiah',
}

/** The answer type for a master soal `jenis_jawaban`, or undefined when unknown. */
export const answerTypeOf = (jenis: string): AnswerType | undefined => JENIS[jenis.trim().toUpperCase()]

const LEVELS: readonly string[] = ['komponen', 'sub_komponen', 'area_perubahan', 'sub_area']
const EXCEL_COLUMNS = {
  excel_kolom_jawaban_unit: 'jawaban_unit',
  excel_kolom_jawaban_tpi: 'jawaban_tpi',
  excel_kolom_catatan_unit: 'catatan_unit',
  excel_kolom_bukti_dukung_unit: 'bukti_dukung_unit',
  excel_kolom_catatan_tpi: 'catatan_tpi',
} as const

type Source = { document: 'master_soal' | 'overlay'; pointer: string; kind: 'node' | 'soal' | 'overlay' }
type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)

/** definition field → master soal field, for translating validation pointers */
const NODE_FIELDS: Record<string, string> = {
  code: 'id',
  name: 'nama',
  bobot: 'bobot_maksimal',
  order: 'order_index',
  level: 'level',
  parentCode: '',
}
const SOAL_FIELDS: Record<string, string> = {
  code: 'id',
  name: 'teks_pertanyaan',
  bobot: 'bobot_maksimal',
  order: '',
  level: '',
  parentCode: '',
  answerType: 'jenis_jawaban',
  options: 'skema_penilaian',
  kriteriaNilai: 'kriteria_nilai',
}

export function importMasterSoal(json: unknown, overlay?: unknown): InstrumentDefinition {
  const issues: ValidationIssue[] = []
  const master = (pointer: string, code: string, message: string) =>
    issues.push({ pointer, code, message, document: 'master_soal' })
  const over = (pointer: string, code: string, message: string) =>
    issues.push({ pointer, code, message, document: 'overlay' })

  if (!isObj(json))
    throw new InstrumentValidationError([
      {
        pointer: '',
        code: 'invalid_master_soal',
        message: 'the master soal must be a JSON object { tahun, data: [...] }',
        document: 'master_soal',
      },
    ])
  const tahun = json.tahun
  if (!Number.isInteger(tahun)) master('/tahun', 'invalid_master_soal', 'tahun must be an integer year')
  if (!Array.isArray(json.data) || json.data.length === 0) {
    master('/data', 'invalid_master_soal', 'data must be a non-empty array of komponen')
    throw new InstrumentValidationError(issues)
  }

  const nodes: InstrumentNode[] = []
  const sources: Source[] = []
  const push = (node: InstrumentNode, source: Source) => {
    nodes.push(node)
    sources.push(source)
  }

  const walk = (raw: unknown, pointer: string, parent: InstrumentNode | null) => {
    if (!isObj(raw)) return master(pointer, 'invalid_master_soal', 'a node must be an object')
    const bad = (field: string, what: string) =>
      master(`${pointer}/${field}`, 'invalid_master_soal', `${field} must be ${what}`)
    if (!Number.isInteger(raw.id)) bad('id', 'an integer')
    if (typeof raw.nama !== 'string') bad('nama', 'a string')
    if (typeof raw.level !== 'string') bad('level', 'a string')
    else if (!LEVELS.includes(raw.level))
      master(
        `${pointer}/level`,
        'unknown_level',
        `level ${JSON.stringify(raw.level)} is not one of ${LEVELS.join(', ')}`,
      )
    if (!isNum(raw.bobot_maksimal)) bad('bobot_maksimal', 'a number')
    if (!isNum(raw.order_index)) bad('order_index', 'a number')
    if (raw.children !== undefined && !Array.isArray(raw.children)) bad('children', 'an array')
    if (raw.soals !== undefined && !Array.isArray(raw.soals)) bad('soals', 'an array')
    const node: InstrumentNode = {
      code: `N${String(raw.id)}`,
      parentCode: parent?.code ?? null,
      level: (typeof raw.level === 'string' ? raw.level : 'komponen') as NodeLevel,
      name: typeof raw.nama === 'string' ? raw.nama : '',
      order: isNum(raw.order_index) ? raw.order_index : 0,
      bobot: isNum(raw.bobot_maksimal) ? raw.bobot_maksimal : null,
    }
    push(node, { document: 'master_soal', pointer, kind: 'node' })
    const soals = Array.isArray(raw.soals) ? raw.soals : []
    soals.forEach((soal, k) => readSoal(soal, `${pointer}/soals/${k}`, node, k + 1))
    const children = Array.isArray(raw.children) ? raw.children : []
    children.forEach((child, k) => walk(child, `${pointer}/children/${k}`, node))
  }

  const readSoal = (raw: unknown, pointer: string, parent: InstrumentNode, order: number) => {
    if (!isObj(raw)) return master(pointer, 'invalid_master_soal', 'a soal must be an object')
    const bad = (field: string, what: string) =>
      master(`${pointer}/${field}`, 'invalid_master_soal', `${field} must be ${what}`)
    if (!Number.isInteger(raw.id)) bad('id', 'an integer')
    if (typeof raw.teks_pertanyaan !== 'string') bad('teks_pertanyaan', 'a string')
    if (raw.kriteria_nilai !== undefined && raw.kriteria_nilai !== null && typeof raw.kriteria_nilai !== 'string')
      bad('kriteria_nilai', 'a string')
    if (raw.bobot_maksimal !== undefined && raw.bobot_maksimal !== null && !isNum(raw.bobot_maksimal))
      bad('bobot_maksimal', 'a number')
    if (raw.skema_penilaian !== undefined && !Array.isArray(raw.skema_penilaian)) bad('skema_penilaian', 'an array')
    let answerType: AnswerType | undefined
    if (typeof raw.jenis_jawaban !== 'string') bad('jenis_jawaban', 'a string')
    else {
      answerType = answerTypeOf(raw.jenis_jawaban)
      if (!answerType) {
        master(
          `${pointer}/jenis_jawaban`,
          'unknown_answer_type',
          `jenis_jawaban ${JSON.stringify(raw.jenis_jawaban)} is not one of YA_TIDAK, ABC, ABCD, ABCDE, Jumlah, 0-4, PERSEN, RUPIAH (soal ${String(raw.id)})`,
        )
      }
    }
    const q: InstrumentNode = {
      code: `Q${String(raw.id)}`,
      parentCode: parent.code,
      level: 'question',
      name: typeof raw.teks_pertanyaan === 'string' ? raw.teks_pertanyaan : '',
      order,
      bobot: parent.level === 'sub_area' ? null : isNum(raw.bobot_maksimal) ? raw.bobot_maksimal : null,
      answerType: answerType ?? (String(raw.jenis_jawaban) as AnswerType),
    }
    const skema = Array.isArray(raw.skema_penilaian) ? raw.skema_penilaian : []
    if (answerType === 'ya_tidak' || answerType === 'abc' || answerType === 'abcd' || answerType === 'abcde') {
      q.options = skema.map((s: unknown, k: number) => {
        const o = isObj(s) ? s : {}
        if (typeof o.key !== 'string')
          master(`${pointer}/skema_penilaian/${k}/key`, 'invalid_master_soal', 'key must be a string')
        if (!isNum(o.multiplier))
          master(`${pointer}/skema_penilaian/${k}/multiplier`, 'invalid_multiplier', 'multiplier must be a number')
        return {
          value: typeof o.key === 'string' ? o.key : '',
          ...(typeof o.label === 'string' && o.label !== '' ? { label: o.label } : {}),
          multiplier: isNum(o.multiplier) ? o.multiplier : Number.NaN,
        }
      })
    }
    if (typeof raw.kriteria_nilai === 'string' && raw.kriteria_nilai !== '') q.kriteriaNilai = raw.kriteria_nilai
    const external: ExternalRefs = { portalrbSoalId: raw.id as number }
    if (typeof raw.excel_sheet === 'string') external.excelSheet = raw.excel_sheet
    if (Number.isInteger(raw.excel_baris)) external.excelRow = raw.excel_baris as number
    const columns: Record<string, string> = {}
    for (const [field, name] of Object.entries(EXCEL_COLUMNS))
      if (typeof raw[field] === 'string') columns[name] = raw[field] as string
    if (Object.keys(columns).length > 0) external.excelColumns = columns
    q.external = external
    push(q, { document: 'master_soal', pointer, kind: 'soal' })
  }

  json.data.forEach((komponen, k) => walk(komponen, `/data/${k}`, null))

  // --- overlay
  let code = Number.isInteger(tahun) ? `LKE-ZI-${String(tahun)}` : 'LKE-ZI'
  let name = Number.isInteger(tahun) ? `LKE Zona Integritas ${String(tahun)}` : 'LKE Zona Integritas'
  let predicateRules: PredicateRule[] = []
  if (overlay !== undefined && overlay !== null) {
    if (!isObj(overlay)) {
      over('', 'invalid_overlay', 'the overlay must be a JSON object')
    } else {
      const allowed = ['code', 'name', 'questions', 'predicateRules', '$comment', 'notes']
      for (const key of Object.keys(overlay))
        if (!allowed.includes(key))
          over(`/${key}`, 'overlay_unknown_field', `unknown overlay field ${key} (allowed: ${allowed.join(', ')})`)
      if (overlay.code !== undefined) {
        if (typeof overlay.code === 'string') code = overlay.code
        else over('/code', 'invalid_overlay', 'code must be a string')
      }
      if (overlay.name !== undefined) {
        if (typeof overlay.name === 'string') name = overlay.name
        else over('/name', 'invalid_overlay', 'name must be a string')
      }
      if (overlay.questions !== undefined) {
        if (!Array.isArray(overlay.questions)) over('/questions', 'invalid_overlay', 'questions must be an array')
        else overlay.questions.forEach((raw, k) => readOverlayQuestion(raw, `/questions/${k}`))
      }
      if (overlay.predicateRules !== undefined) {
        if (!Array.isArray(overlay.predicateRules))
          over('/predicateRules', 'invalid_overlay', 'predicateRules must be an array')
        else predicateRules = overlay.predicateRules.map((r) => structuredClone(r) as PredicateRule)
      }
    }
  }

  function readOverlayQuestion(raw: unknown, pointer: string): void {
    if (!isObj(raw)) {
      over(pointer, 'invalid_overlay', 'a question must be an object')
      return
    }
    const allowed = [
      'code',
      'parentCode',
      'order',
      'name',
      'answerType',
      'formula',
      'formulaRequires',
      'bobot',
      'scored',
      'kriteriaNilai',
      'evidenceGuidance',
      'external',
      'source',
    ]
    for (const key of Object.keys(raw))
      if (!allowed.includes(key))
        over(`${pointer}/${key}`, 'overlay_unknown_field', `unknown field ${key} (allowed: ${allowed.join(', ')})`)
    if (typeof raw.parentCode !== 'string')
      over(`${pointer}/parentCode`, 'parent_not_found', 'parentCode must be the code of an imported node, e.g. N36')
    const q: InstrumentNode = {
      code: raw.code as string,
      parentCode: typeof raw.parentCode === 'string' ? raw.parentCode : '',
      level: 'question',
      name: raw.name as string,
      order: raw.order as number,
      bobot: raw.bobot === undefined ? null : (raw.bobot as number | null),
      answerType: raw.answerType as AnswerType,
    }
    for (const f of [
      'formula',
      'formulaRequires',
      'scored',
      'kriteriaNilai',
      'evidenceGuidance',
      'external',
    ] as const) {
      if (raw[f] !== undefined) (q as unknown as Obj)[f] = structuredClone(raw[f])
    }
    push(q, { document: 'overlay', pointer, kind: 'overlay' })
  }

  const def: InstrumentDefinition = {
    code,
    name,
    year: Number.isInteger(tahun) ? (tahun as number) : 0,
    nodes,
    predicateRules,
  }

  // --- validate the result, pointers translated back into the documents
  const translate = (issue: ValidationIssue): ValidationIssue => {
    const parts = issue.pointer.split('/').slice(1)
    if (parts[0] === 'nodes' && parts[1] !== undefined) {
      const source = sources[Number(parts[1])]
      if (!source) return issue
      const [field, ...rest] = parts.slice(2)
      if (field === undefined) return { ...issue, pointer: source.pointer, document: source.document }
      if (source.kind === 'overlay')
        return { ...issue, pointer: [source.pointer, field, ...rest].join('/'), document: 'overlay' }
      const mapped = (source.kind === 'node' ? NODE_FIELDS : SOAL_FIELDS)[field]
      if (mapped === undefined) return { ...issue, pointer: source.pointer, document: 'master_soal' }
      if (mapped === '') return { ...issue, pointer: source.pointer, document: 'master_soal' }
      const tail = field === 'options' ? rest.map((t) => (t === 'value' ? 'key' : t)) : rest
      return { ...issue, pointer: [source.pointer, mapped, ...tail].join('/'), document: 'master_soal' }
    }
    if (parts[0] === 'year') return { ...issue, pointer: '/tahun', document: 'master_soal' }
    return { ...issue, document: 'overlay' }
  }
  const seen = new Set(issues.map((i) => `${i.document}|${i.pointer}|${i.code}`))
  for (const issue of validateInstrument(def).map(translate)) {
    const key = `${issue.document}|${issue.pointer}|${issue.code}`
    if (seen.has(key)) continue
    // an unknown jenis_jawaban is reported once, by the importer
    if (
      issue.code === 'unknown_answer_type' &&
      issues.some((i) => i.code === 'unknown_answer_type' && i.pointer === issue.pointer)
    )
      continue
    seen.add(key)
    issues.push(issue)
  }
  if (issues.length > 0) throw new InstrumentValidationError(issues)
  return { ...def, nodes: [...indexTree(def).ordered] }
}

/**
 * What an overlay would need to rebuild `def` from its master soal: the computed (formula) questions,
 * which the master soal never has, the predicate rules, code and name. Lets a new master soal import
 * carry an existing version's ratios and rules: `importMasterSoal(json, overlayFromDefinition(old))`.
 */
export function overlayFromDefinition(def: InstrumentDefinition): InstrumentOverlay {
  return {
    code: def.code,
    name: def.name,
    questions: def.nodes
      .filter((n) => n.level === 'question' && typeof n.formula === 'string')
      .map((n) => {
        const q: OverlayQuestion = {
          code: n.code,
          parentCode: n.parentCode ?? '',
          order: n.order,
          name: n.name,
          answerType: n.answerType as AnswerType,
        }
        if (n.formula !== undefined) q.formula = n.formula
        if (n.formulaRequires !== undefined) q.formulaRequires = [...n.formulaRequires]
        if (n.bobot !== null) q.bobot = n.bobot
        if (n.scored !== undefined) q.scored = n.scored
        if (n.kriteriaNilai !== undefined) q.kriteriaNilai = n.kriteriaNilai
        if (n.evidenceGuidance !== undefined) q.evidenceGuidance = n.evidenceGuidance
        if (n.external !== undefined) q.external = structuredClone(n.external)
        return q
      }),
    predicateRules: structuredClone(def.predicateRules),
  }
}
