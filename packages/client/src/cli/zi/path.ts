/** `zi path`: the improvement plan of a stage as tables for people. */
import type { operations } from '../../index.js'
import { fmtNumber, table } from './output.js'

type StagePlan = operations['getStagePlan']['responses'][200]['content']['application/json']

const shorten = (text: string | undefined, max: number): string => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export function renderPlan(view: StagePlan, opts: { guidance: boolean }): string {
  const p = view.plan
  const headline = p.reachable
    ? p.changes === 0
      ? `already meets ${p.target}: total ${fmtNumber(p.before.total)}`
      : `${p.changes} question${p.changes === 1 ? '' : 's'} from ${p.target}: total ${fmtNumber(p.before.total)} → ${fmtNumber(p.after.total)}`
    : `${p.target} is out of reach${p.unreachable_reason === 'max_changes' ? ' within --max-changes' : ''}: total ${fmtNumber(p.before.total)} → ${fmtNumber(p.after.total)} with the closest plan (${p.changes} change${p.changes === 1 ? '' : 's'})`
  const parts = [headline]
  if (p.failing.length > 0) {
    parts.push(
      table(
        ['failing now', 'actual', 'required', 'points short', 'description'],
        p.failing.map((f) => [
          f.rule,
          fmtNumber(f.actual, 3),
          fmtNumber(f.required, 3),
          fmtNumber(f.points_short),
          f.description,
        ]),
      ),
    )
  }
  if (p.steps.length > 0) {
    const header = ['#', 'question', 'current', 'proposed', 'points', 'rules', 'sub-area', 'question text']
    if (opts.guidance) header.push('evidence (data dukung)')
    parts.push(
      table(
        header,
        p.steps.map((s) => {
          const row = [
            String(s.order),
            s.code + (s.ratio_code ? ` (→ ${s.ratio_code})` : ''),
            s.current === null ? '(blank)' : String(s.current),
            String(s.proposed),
            `${s.points >= 0 ? '+' : ''}${fmtNumber(s.points)}`,
            s.rules.join(','),
            shorten(s.node_name, 40),
            shorten(s.name, 60),
          ]
          if (opts.guidance) row.push(shorten(s.evidence_guidance, 160))
          return row
        }),
      ),
    )
  }
  if (p.unreachable.length > 0) {
    parts.push(
      table(
        ['out of reach', 'best actual', 'required', 'points short', 'description'],
        p.unreachable.map((f) => [
          f.rule,
          fmtNumber(f.actual, 3),
          fmtNumber(f.required, 3),
          fmtNumber(f.points_short),
          f.description,
        ]),
      ),
    )
  }
  return parts.join('\n\n')
}
