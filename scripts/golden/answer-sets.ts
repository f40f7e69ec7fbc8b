/**
 * Step 1 of the golden fixtures (see README.md here): the seeded instrument's questions in order and
 * the answer sets to feed the official workbook, as JSON on stdout. Deterministic (fixed seeds).
 *
 *   npx tsx scripts/golden/answer-sets.ts > /tmp/golden-input.json
 */
import {
  scoreInstrument,
  validateAnswers,
  type AnswerValue,
  type InstrumentDefinition,
  type InstrumentNode,
} from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'

type Answers = Record<string, AnswerValue>

/** mulberry32: a small seeded PRNG, so the "random" cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const def: InstrumentDefinition = loadSeedInstrument()
const answerable = def.nodes.filter((n) => n.level === 'question' && n.formula === undefined)
const optionsBy = (q: InstrumentNode) => [...(q.options ?? [])].sort((a, b) => b.multiplier - a.multiplier)

/** counts giving every ratio its best value (some above 1 before the cap) */
const BEST_COUNTS: Record<string, number> = {
  Q88: 3,
  Q89: 5,
  Q90: 4,
  Q91: 4,
  Q102: 5,
  Q103: 0,
  Q104: 2,
  Q105: 6,
  Q106: 6,
  Q110: 8,
  Q111: 0,
  Q112: 8,
  Q113: 1,
  Q114: 2,
  Q115: 3,
  Q116: 6,
  Q117: 2,
  Q118: 3,
  Q119: 10,
  Q120: 15,
  Q122: 5,
  Q123: 7,
}
/** counts giving every ratio 0 (the discipline ratio below 0 before the floor) */
const WORST_COUNTS: Record<string, number> = {
  Q88: 3,
  Q89: 0,
  Q90: 4,
  Q91: 0,
  Q102: 1,
  Q103: 5,
  Q104: 0,
  Q105: 6,
  Q106: 0,
  Q110: 8,
  Q111: 8,
  Q112: 0,
  Q113: 1,
  Q114: 1,
  Q115: 1,
  Q116: 0,
  Q117: 1,
  Q118: 1,
  Q119: 1,
  Q120: 0,
  Q122: 5,
  Q123: 0,
}

function fixed(pick: (q: InstrumentNode) => AnswerValue): Answers {
  return Object.fromEntries(answerable.map((q) => [q.code, pick(q)]))
}

function randomAnswers(seed: number): Answers {
  const rnd = prng(seed)
  for (;;) {
    const answers = fixed((q) => {
      if (q.options) return (q.options[Math.floor(rnd() * q.options.length)] as { value: string }).value
      if (q.answerType === 'survey_index') return Math.round(rnd() * 400) / 100
      if (q.answerType === 'count') return Math.floor(rnd() * 21)
      throw new Error(`no generator for ${q.code} (${q.answerType})`)
    })
    // the workbook has no number for a ratio dividing by zero: draw again
    if (validateAnswers(def, answers).length === 0) return answers
  }
}

/** Blanks about `share` of the answers, but keeps every averaged sub-area with at least one scored value and Hasil answered, so the workbook still gives numbers. */
function partial(full: Answers, seed: number, share: number): Answers {
  const rnd = prng(seed)
  const answers: Answers = { ...full }
  for (const q of answerable) if (rnd() < share) answers[q.code] = null
  for (const n of def.nodes.filter((x) => x.level !== 'question')) {
    const kids = def.nodes.filter((x) => x.parentCode === n.code && x.level === 'question')
    if (kids.length === 0) continue
    const node = scoreInstrument(def, answers).nodes.find((x) => x.code === n.code)
    if (!node) continue
    if (node.combine === 'weighted_sum' || node.answered === 0)
      for (const k of kids) if (k.formula === undefined) answers[k.code] = full[k.code] ?? null
  }
  return answers
}

const best = fixed((q) =>
  q.options
    ? (optionsBy(q)[0] as { value: string }).value
    : q.answerType === 'survey_index'
      ? 4
      : (BEST_COUNTS[q.code] as number),
)
const worst = fixed((q) =>
  q.options
    ? (optionsBy(q).at(-1) as { value: string }).value
    : q.answerType === 'survey_index'
      ? 0
      : (WORST_COUNTS[q.code] as number),
)
const second = fixed((q) =>
  q.options
    ? (optionsBy(q)[1] as { value: string }).value
    : q.answerType === 'survey_index'
      ? 3.6
      : (BEST_COUNTS[q.code] as number),
)

const cases: { name: string; how: string; answers: Answers }[] = [
  {
    name: 'all-best',
    how: 'every option question at its best option (Ya, A), survey indices 4, counts giving every ratio 1 (two of them above 1 before the cap)',
    answers: best,
  },
  {
    name: 'all-worst',
    how: 'every option question at its worst option (Tidak, C/D/E), survey indices 0, counts giving every ratio 0 (the discipline ratio negative before the floor)',
    answers: worst,
  },
  {
    name: 'second-options',
    how: 'every option question at its second-best option (Tidak for Ya/Tidak, B otherwise: 0.5, 0.67, 0.75), survey indices 3.6 (the IPAK threshold 15.75), counts as in all-best',
    answers: second,
  },
  {
    name: 'random-seed-1',
    how: 'uniformly random answers (mulberry32 seed 1): options, counts 0–20, survey indices 0–4 in steps of 0.01; redrawn while a ratio would divide by zero',
    answers: randomAnswers(1),
  },
  {
    name: 'random-seed-2',
    how: 'uniformly random answers (mulberry32 seed 2), as random-seed-1',
    answers: randomAnswers(2),
  },
  {
    name: 'random-seed-3',
    how: 'uniformly random answers (mulberry32 seed 3), as random-seed-1',
    answers: randomAnswers(3),
  },
  {
    name: 'partial-seed-4',
    how: 'random answers (seed 4) with about 40 % left blank (seed 40), except that every averaged sub-area keeps at least one scored value and Hasil stays answered, so the workbook shows numbers: the blanks are skipped by AVERAGE',
    answers: partial(randomAnswers(4), 40, 0.4),
  },
  {
    name: 'partial-seed-5',
    how: 'random answers (seed 5) with about 70 % left blank (seed 50), under the same guard as partial-seed-4',
    answers: partial(randomAnswers(5), 50, 0.7),
  },
  {
    name: 'discipline-both-zero',
    how: "all-best, but no discipline violations in either year (Q102 = Q103 = 0): the workbook's IF(AND(K155=0,K156=0),1,…) gives 1",
    answers: { ...best, Q102: 0, Q103: 0 },
  },
  {
    name: 'ratio-inputs-blank',
    how: 'random answers (seed 6) with one input of each two-input ratio blank in sub-areas that keep another scored question (R36b, R58): those ratios are "Blm Diisi" and skipped',
    answers: { ...randomAnswers(6), Q90: null, Q122: null },
  },
  {
    name: 'division-by-zero',
    how: 'all-best, but no complaints to follow up (Q110 = 0): the workbook shows #DIV/0! from K171 up to the total; the engine refuses the set (validateAnswers: formula_division_by_zero) and, scored anyway, leaves R53 without a value so its sub-area is 0',
    answers: { ...best, Q110: 0, Q111: 0, Q112: 0 },
  },
  {
    name: 'all-unanswered',
    how: 'nothing answered: the workbook shows #DIV/0! / #VALUE! everywhere; the engine gives 0 everywhere and lists every answerable question as unanswered',
    answers: fixed(() => null),
  },
]

process.stdout.write(
  `${JSON.stringify(
    {
      instrument: def.code,
      nodes: def.nodes.map((n) => ({
        code: n.code,
        level: n.level,
        bobot: n.bobot,
        answerType: n.answerType ?? null,
        computed: n.formula !== undefined,
        name: n.name,
      })),
      cases,
    },
    null,
    1,
  )}\n`,
)
