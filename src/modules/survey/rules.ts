import { type Message, msg } from '../../lib/i18n.js'
/**
 * Survei mandiri (IPAK, IPKP): the item sets, the index and the checks of answers, as plain
 * functions (no Fastify, no database). The method is documented in docs/survey.md; the
 * regulation's requirements are PermenPANRB 90/2021 Lampiran II, pages 55–56.
 */

export type Kind = 'ipak' | 'ipkp'
export const KINDS: readonly Kind[] = ['ipak', 'ipkp']

/** One question of a set: answered 1–4 (sangat tidak setuju … sangat setuju). */
export interface SurveyItem {
  /** stable within its set, e.g. IPAK-1 */
  code: string
  /** the statement the respondent rates, in Bahasa Indonesia */
  text: string
  /** the aspect it measures (the regulation's IPAK aspects, the SKM elements for IPKP) */
  aspect: string
  /** where the item comes from */
  source: string
}

export const SCALE_MIN = 1
export const SCALE_MAX = 4
/** The labels of the 1–4 scale, as the form shows them and as a Google Form export may carry them. */
export const SCALE_LABELS: Record<number, string> = {
  1: 'Sangat tidak setuju',
  2: 'Tidak setuju',
  3: 'Setuju',
  4: 'Sangat setuju',
}

/** At least 30 respondents per unit (Lampiran II, hlm. 55, huruf d). */
export const MIN_RESPONDENTS = 30
/** The LKE question each index fills, and its weight (LKE value = index / 4 × 17.5). */
export const LKE_QUESTION: Record<Kind, string> = { ipak: 'Q125', ipkp: 'Q127' }
export const LKE_WEIGHT = 17.5
export const KIND_TITLE: Record<Kind, string> = {
  ipak: 'Survei Persepsi Anti Korupsi (IPAK)',
  ipkp: 'Survei Persepsi Kualitas Pelayanan (IPKP)',
}

/** Respondent profile (optional, as the SKM collects it): codes and the labels the form shows. */
export const AGE_BANDS: Record<string, string> = {
  under_20: 'di bawah 20 tahun',
  '20_29': '20–29 tahun',
  '30_39': '30–39 tahun',
  '40_49': '40–49 tahun',
  '50_59': '50–59 tahun',
  '60_plus': '60 tahun ke atas',
}
export const EDUCATION_LEVELS: Record<string, string> = {
  sd: 'SD atau sederajat',
  smp: 'SMP atau sederajat',
  sma: 'SMA/SMK atau sederajat',
  diploma: 'D1–D4',
  s1: 'S1',
  s2: 'S2',
  s3: 'S3',
}

const P90 = 'PermenPANRB 90/2021 Lampiran II hlm. 55–56 (aspek persepsi anti korupsi)'
const SKM = (n: number, unsur: string) => `PermenPANRB 14/2017 (SKM), unsur ${n}: ${unsur}`

/** The bundled item sets (code, title, items): what an admin adapts for a period. */
export const BUNDLED_SETS: { kind: Kind; code: string; title: string; items: SurveyItem[] }[] = [
  {
    kind: 'ipak',
    code: 'IPAK-2021',
    title: 'Survei Persepsi Anti Korupsi (bawaan)',
    items: [
      {
        code: 'IPAK-1',
        text: 'Petugas memberikan pelayanan yang sama kepada semua pengguna layanan, tanpa membeda-bedakan.',
        aspect: 'diskriminasi',
        source: P90,
      },
      {
        code: 'IPAK-2',
        text: 'Tidak ada pelayanan di luar prosedur atau kecurangan dalam pelayanan.',
        aspect: 'kecurangan',
        source: P90,
      },
      {
        code: 'IPAK-3',
        text: 'Petugas tidak meminta atau menerima imbalan uang, barang atau fasilitas di luar ketentuan.',
        aspect: 'imbalan',
        source: P90,
      },
      {
        code: 'IPAK-4',
        text: 'Tidak ada pungutan liar (pungli) dalam pelayanan.',
        aspect: 'pungli',
        source: P90,
      },
      {
        code: 'IPAK-5',
        text: 'Tidak ada calo atau perantara yang menawarkan jasa dalam pelayanan.',
        aspect: 'percaloan',
        source: P90,
      },
    ],
  },
  {
    kind: 'ipkp',
    code: 'IPKP-2021',
    title: 'Survei Persepsi Kualitas Pelayanan (bawaan)',
    items: [
      {
        code: 'IPKP-1',
        text: 'Persyaratan pelayanan sesuai dengan yang diumumkan dan mudah dipenuhi.',
        aspect: 'persyaratan',
        source: SKM(1, 'persyaratan'),
      },
      {
        code: 'IPKP-2',
        text: 'Prosedur pelayanan mudah dipahami dan diikuti.',
        aspect: 'prosedur',
        source: SKM(2, 'sistem, mekanisme dan prosedur'),
      },
      {
        code: 'IPKP-3',
        text: 'Pelayanan selesai dalam waktu yang dijanjikan.',
        aspect: 'waktu',
        source: SKM(3, 'waktu penyelesaian'),
      },
      {
        code: 'IPKP-4',
        text: 'Biaya atau tarif pelayanan sesuai dengan yang ditetapkan (atau gratis bila ditetapkan gratis).',
        aspect: 'biaya',
        source: SKM(4, 'biaya/tarif'),
      },
      {
        code: 'IPKP-5',
        text: 'Hasil pelayanan sesuai dengan yang dijanjikan dalam standar pelayanan.',
        aspect: 'produk',
        source: SKM(5, 'produk spesifikasi jenis pelayanan'),
      },
      {
        code: 'IPKP-6',
        text: 'Petugas mampu dan cakap memberikan pelayanan.',
        aspect: 'kompetensi',
        source: SKM(6, 'kompetensi pelaksana'),
      },
      {
        code: 'IPKP-7',
        text: 'Petugas melayani dengan sopan, ramah dan cepat tanggap.',
        aspect: 'perilaku',
        source: SKM(7, 'perilaku pelaksana'),
      },
      {
        code: 'IPKP-8',
        text: 'Sarana pengaduan, saran dan masukan tersedia, mudah digunakan dan ditindaklanjuti.',
        aspect: 'pengaduan',
        source: SKM(8, 'penanganan pengaduan, saran dan masukan'),
      },
      {
        code: 'IPKP-9',
        text: 'Sarana dan prasarana pelayanan (termasuk layanan daring) nyaman dan mudah digunakan.',
        aspect: 'sarana',
        source: SKM(9, 'sarana dan prasarana'),
      },
    ],
  },
]

/** Problems with an item set (codes unique, texts and aspects present); empty when it is usable. */
export function checkItems(items: SurveyItem[]): { index: number; field: string; message: Message }[] {
  const problems: { index: number; field: string; message: Message }[] = []
  const seen = new Set<string>()
  items.forEach((item, index) => {
    if (seen.has(item.code))
      problems.push({ index, field: 'code', message: msg('survey:rules.rule', { code: item.code }) })
    seen.add(item.code)
  })
  if (items.length === 0) problems.push({ index: 0, field: 'items', message: msg('survey:rules.rule_2') })
  return problems
}

/**
 * Rounds half away from zero to `places` decimals, treating a value within 1e-9 of a half as the
 * half: 3.605 (stored as 3.60499…) gives 3.61, as a person computing by hand would.
 */
export function roundHalfUp(x: number, places = 2): number {
  const f = 10 ** places
  const scaled = Math.abs(x) * f
  return (Math.sign(x) * Math.floor(scaled + 0.5 + 1e-9)) / f
}

export interface ItemResult {
  code: string
  aspect: string
  /** respondents who answered the item */
  n: number
  sum: number
  mean: number | null
}
export interface AspectResult {
  aspect: string
  items: string[]
  mean: number | null
}
export interface IndexResult {
  respondents: number
  items: ItemResult[]
  aspects: AspectResult[]
  /** unrounded, on the 0–4 scale (a mean of 1–4 answers lies in 1–4) */
  index: number | null
  /** what people read and what goes into the LKE: two decimals, half up */
  index_rounded: number | null
  /** the LKE points the index gives (index_rounded / 4 × 17.5), for information */
  lke_points: number | null
}

/**
 * The index of one questionnaire over the responses (voided ones already left out).
 * - item mean = sum of its answers / number of respondents who answered it;
 * - aspect mean = mean of its items' means (each item of an aspect weighs the same);
 * - index = mean of the aspect means (each aspect weighs the same, as the SKM weighs each
 *   element 1/n), unrounded; index_rounded = the index to two decimals, half up.
 * Nothing is rounded before the end.
 */
export function computeIndex(items: SurveyItem[], responses: Record<string, number>[]): IndexResult {
  const itemResults: ItemResult[] = items.map((item) => {
    let n = 0
    let sum = 0
    for (const r of responses) {
      const v = r[item.code]
      if (typeof v === 'number' && Number.isFinite(v)) {
        n++
        sum += v
      }
    }
    return { code: item.code, aspect: item.aspect, n, sum, mean: n > 0 ? sum / n : null }
  })
  const aspectOrder: string[] = []
  for (const item of items) if (!aspectOrder.includes(item.aspect)) aspectOrder.push(item.aspect)
  const aspects: AspectResult[] = aspectOrder.map((aspect) => {
    const members = itemResults.filter((i) => i.aspect === aspect)
    const means = members.map((i) => i.mean).filter((m): m is number => m !== null)
    return {
      aspect,
      items: members.map((i) => i.code),
      mean: means.length === members.length && means.length > 0 ? mean(means) : null,
    }
  })
  const aspectMeans = aspects.map((a) => a.mean)
  const complete = aspectMeans.length > 0 && aspectMeans.every((m) => m !== null)
  const index = complete ? mean(aspectMeans as number[]) : null
  const rounded = index === null ? null : roundHalfUp(index)
  return {
    respondents: responses.length,
    items: itemResults,
    aspects,
    index,
    index_rounded: rounded,
    lke_points: rounded === null ? null : roundHalfUp((rounded / 4) * LKE_WEIGHT),
  }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

export interface Composition {
  by_service_type: { service_type: string | null; respondents: number; share: number }[]
  /** declared service types no respondent named: the composition does not yet cover them */
  missing_service_types: string[]
}

/** Respondents by service type (declared types first, then "not stated"); shares in percent, one decimal. */
export function composition(serviceTypes: string[], stated: (string | null)[]): Composition {
  const counts = new Map<string | null, number>(serviceTypes.map((s) => [s, 0]))
  for (const s of stated) counts.set(s, (counts.get(s) ?? 0) + 1)
  const total = stated.length
  return {
    by_service_type: [...counts.entries()].map(([service_type, respondents]) => ({
      service_type,
      respondents,
      share: total === 0 ? 0 : roundHalfUp((respondents / total) * 100, 1),
    })),
    missing_service_types: serviceTypes.filter((s) => (counts.get(s) ?? 0) === 0),
  }
}

export interface Finality {
  below_minimum: boolean
  /** the index may be offered as the LKE value */
  final: boolean
  reason: string
}

/** Fewer than 30 respondents is not final unless a statistical justification is recorded (huruf d). */
export function finality(respondents: number, justification: string | null): Finality {
  if (respondents === 0) return { below_minimum: true, final: false, reason: 'no respondents yet' }
  if (respondents >= MIN_RESPONDENTS)
    return { below_minimum: false, final: true, reason: `${respondents} respondents (at least ${MIN_RESPONDENTS})` }
  if (justification)
    return {
      below_minimum: true,
      final: true,
      reason: `${respondents} respondents, below ${MIN_RESPONDENTS}, with a recorded justification`,
    }
  return {
    below_minimum: true,
    final: false,
    reason: `${respondents} respondents: at least ${MIN_RESPONDENTS} are needed, or a recorded statistical justification`,
  }
}

/** Converts an answer on a 1–s scale to the 1–4 scale, linearly: 1 ↦ 1, s ↦ 4. */
export const toFourPointScale = (value: number, scale: number): number =>
  scale === SCALE_MAX ? value : 1 + ((value - 1) * (SCALE_MAX - 1)) / (scale - 1)

// ---------------------------------------------------------------------------------------------
// Answers from the public form

export interface Questionnaires {
  ipak?: SurveyItem[]
  ipkp?: SurveyItem[]
}

export interface Submission {
  answers: Partial<Record<Kind, Record<string, number>>>
  serviceType: string | null
  ageBand: string | null
  education: string | null
  invitationCode: string | null
}

export interface FieldProblem {
  field: string
  message: Message
}

const FIELD_MAX = 200

/** The form's field name of an item (ipak.IPAK-1). */
export const itemField = (kind: Kind, code: string): string => `${kind}.${code}`

/**
 * Checks a posted form: every item answered 1–4, the profile from its lists, nothing else (a
 * field the form does not have is refused, so no name or phone can be smuggled in). The
 * `website` field is a honeypot the form hides from people: a value there is a bot.
 */
export function checkSubmission(
  sets: Questionnaires,
  serviceTypes: string[],
  fields: Record<string, string>,
  opts: { invitation: boolean },
): { ok: true; submission: Submission } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const known = new Set(['service_type', 'age_band', 'education', 'kode', 'website'])
  const answers: Submission['answers'] = {}
  for (const kind of KINDS) {
    const items = sets[kind]
    if (!items) continue
    const got: Record<string, number> = {}
    for (const item of items) {
      const name = itemField(kind, item.code)
      known.add(name)
      const raw = fields[name]
      if (raw === undefined || raw === '') {
        problems.push({ field: name, message: msg('survey:rules.rule_3', { text: item.text }) })
        continue
      }
      if (!/^[1-4]$/.test(raw)) {
        problems.push({ field: name, message: msg('survey:rules.rule_4') })
        continue
      }
      got[item.code] = Number(raw)
    }
    answers[kind] = got
  }
  for (const [name, value] of Object.entries(fields)) {
    if (!known.has(name)) problems.push({ field: name, message: msg('survey:rules.rule_5') })
    else if (value.length > FIELD_MAX)
      problems.push({ field: name, message: msg('survey:rules.rule_6', { FIELD_MAX }) })
  }
  if (fields.website) problems.push({ field: 'website', message: msg('survey:rules.rule_7') })
  const pick = (name: string, allowed: string[]): string | null => {
    const v = fields[name]?.trim()
    if (!v) return null
    if (!allowed.includes(v)) problems.push({ field: name, message: msg('survey:rules.rule_8') })
    return v
  }
  const serviceType = pick('service_type', serviceTypes)
  const ageBand = pick('age_band', Object.keys(AGE_BANDS))
  const education = pick('education', Object.keys(EDUCATION_LEVELS))
  const code = fields.kode?.trim() ?? ''
  if (opts.invitation && !code) problems.push({ field: 'kode', message: msg('survey:rules.rule_9') })
  if (problems.length > 0) return { ok: false, problems }
  return {
    ok: true,
    submission: { answers, serviceType, ageBand, education, invitationCode: opts.invitation ? code : null },
  }
}

// ---------------------------------------------------------------------------------------------
// Rows of an import (a Google Form export, CSV or XLSX)

export interface RowProblem {
  /** the spreadsheet row (the header is row 1) */
  row: number
  /** the column letter and header, when one cell is at fault */
  column: string | null
  value: string | null
  rule: string
  message: Message
}

export interface ImportedResponse {
  row: number
  answers: Partial<Record<Kind, Record<string, number>>>
  serviceType: string | null
  ageBand: string | null
  education: string | null
}

export interface ImportPlan {
  responses: ImportedResponse[]
  problems: RowProblem[]
  /** columns that are not an item or a profile field: never stored (a name or e-mail column of the form) */
  ignored_columns: string[]
  /** wholly empty rows (a spreadsheet's trailing rows) */
  blank_rows: number
}

const norm = (s: string): string =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u00a0]+/g, ' ')
    .replace(/[.:?]+$/, '')
    .trim()

const PROFILE_HEADERS: Record<'service_type' | 'age_band' | 'education', string[]> = {
  service_type: ['service_type', 'jenis layanan', 'jenis pelayanan', 'layanan'],
  age_band: ['age_band', 'usia', 'umur', 'kelompok usia'],
  education: ['education', 'pendidikan', 'pendidikan terakhir'],
}

export const columnLetter = (i: number): string => {
  let s = ''
  let n = i + 1
  while (n > 0) {
    const r = (n - 1) % 26
    s = String.fromCharCode(65 + r) + s
    n = Math.floor((n - 1) / 26)
  }
  return s
}

type Column =
  | { type: 'item'; kind: Kind; item: SurveyItem }
  | { type: 'profile'; field: 'service_type' | 'age_band' | 'education' }

/** Which item a header names: its code ("IPAK-1", "[IPAK-1] …", "IPAK-1. …") or its full text (also inside a grid's "[…]"). */
function headerItem(header: string, sets: Questionnaires): { kind: Kind; item: SurveyItem } | null {
  const h = norm(header)
  for (const kind of KINDS)
    for (const item of sets[kind] ?? []) {
      const c = item.code.toLowerCase()
      if (h === c || h.startsWith(`[${c}]`) || h.startsWith(`${c}.`) || h.startsWith(`${c} `)) return { kind, item }
      const t = norm(item.text)
      if (h === t || h.endsWith(`[${t}]`)) return { kind, item }
    }
  return null
}

const labelValue = (raw: string): number | null => {
  const v = norm(raw)
  for (const [n, label] of Object.entries(SCALE_LABELS)) if (norm(label) === v) return Number(n)
  return null
}

/** Reads a profile cell: a code or its label (case-insensitive); a service type by its name. */
function profileValue(raw: string, allowed: Record<string, string>): string | null {
  const v = norm(raw)
  for (const [code, label] of Object.entries(allowed)) if (norm(code) === v || norm(label) === v) return code
  return null
}

/**
 * Plans an import: maps the header row to items and profile fields, checks every cell of every
 * row and names each bad one. All or nothing is the caller's rule: any problem, nothing stored.
 * `scale`: the scale the form used (4, 5 or 6); answers convert to 1–4 with toFourPointScale.
 */
export function planImport(table: string[][], sets: Questionnaires, serviceTypes: string[], scale: number): ImportPlan {
  const problems: RowProblem[] = []
  const header = table[0] ?? []
  const columns: (Column | null)[] = []
  const ignored: string[] = []
  const seen = new Map<string, number>()
  header.forEach((h, i) => {
    const item = headerItem(h, sets)
    const profile = (Object.keys(PROFILE_HEADERS) as (keyof typeof PROFILE_HEADERS)[]).find((f) =>
      PROFILE_HEADERS[f].includes(norm(h)),
    )
    const key = item ? `${item.kind}:${item.item.code}` : profile ? `profile:${profile}` : null
    if (key && seen.has(key)) {
      problems.push({
        row: 1,
        column: `${columnLetter(i)} (${h})`,
        value: h,
        rule: 'duplicate_column',
        message: msg('survey:rules.rule_10', { column: columnLetter(seen.get(key)!) }),
      })
      columns.push(null)
      return
    }
    if (key) seen.set(key, i)
    if (item) columns.push({ type: 'item', kind: item.kind, item: item.item })
    else if (profile) columns.push({ type: 'profile', field: profile })
    else {
      columns.push(null)
      if (h.trim()) ignored.push(h)
    }
  })
  for (const kind of KINDS)
    for (const item of sets[kind] ?? [])
      if (!seen.has(`${kind}:${item.code}`))
        problems.push({
          row: 1,
          column: null,
          value: null,
          rule: 'missing_column',
          message: msg('survey:rules.rule_11', { code: item.code, text: item.text }),
        })
  const serviceMap = Object.fromEntries(serviceTypes.map((s) => [s, s]))
  const responses: ImportedResponse[] = []
  let blank = 0
  for (let r = 1; r < table.length; r++) {
    const cells = table[r]!
    const rowNo = r + 1
    if (cells.every((c) => c.trim() === '')) {
      blank++
      continue
    }
    const out: ImportedResponse = { row: rowNo, answers: {}, serviceType: null, ageBand: null, education: null }
    for (const kind of KINDS) if (sets[kind]) out.answers[kind] = {}
    columns.forEach((col, i) => {
      if (!col) return
      const raw = (cells[i] ?? '').trim()
      const where = `${columnLetter(i)} (${header[i]})`
      const bad = (rule: string, message: Message) =>
        problems.push({ row: rowNo, column: where, value: raw, rule, message })
      if (col.type === 'item') {
        if (!raw) return bad('required', msg('survey:import.required', { code: col.item.code }))
        let v: number | null = /^\d+$/.test(raw) ? Number(raw) : null
        if (v === null && scale === SCALE_MAX) v = labelValue(raw)
        if (v === null || v < 1 || v > scale) return bad('out_of_scale', msg('survey:import.out_of_scale', { scale }))
        out.answers[col.kind]![col.item.code] = toFourPointScale(v, scale)
        return
      }
      if (!raw) return
      const allowed =
        col.field === 'service_type' ? serviceMap : col.field === 'age_band' ? AGE_BANDS : EDUCATION_LEVELS
      const value = profileValue(raw, allowed)
      if (value === null)
        return bad(
          'unknown_choice',
          msg('survey:import.unknown_choice', {
            choices: Object.values(allowed).join(', ') || msg('survey:import.no_service_types'),
          }),
        )
      if (col.field === 'service_type') out.serviceType = value
      else if (col.field === 'age_band') out.ageBand = value
      else out.education = value
    })
    responses.push(out)
  }
  return { responses, problems, ignored_columns: ignored, blank_rows: blank }
}
