/** `zi path`: the improvement plan of a stage as tables for people. */
import type { operations } from '../../index.js'
import { headers, t } from './i18n.js'
import { fmtNumber, table } from './output.js'

type StagePlan = operations['getStagePlan']['responses'][200]['content']['application/json']

const shorten = (text: string | undefined, max: number): string => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export function renderPlan(view: StagePlan, opts: { guidance: boolean }): string {
  const p = view.plan
  const before = fmtNumber(p.before.total)
  const after = fmtNumber(p.after.total)
  const headline = p.reachable
    ? p.changes === 0
      ? t('plan:already', { target: p.target, total: before })
      : t('plan:away', { count: p.changes, target: p.target, before, after })
    : t('plan:out_of_reach', {
        target: p.target,
        within: p.unreachable_reason === 'max_changes' ? t('plan:within') : '',
        before,
        after,
        changes: t('plan:changes', { count: p.changes }),
      })
  const parts = [headline]
  if (p.failing.length > 0) {
    parts.push(
      table(
        headers(
          'cli:col.failing_now',
          'cli:col.actual',
          'cli:col.required',
          'cli:col.points_short',
          'cli:col.description',
        ),
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
    const header = [
      '#',
      ...headers(
        'cli:col.question',
        'cli:col.current',
        'cli:col.proposed',
        'cli:col.points',
        'cli:col.rules',
        'cli:col.sub_area',
        'cli:col.question_text',
      ),
    ]
    if (opts.guidance) header.push(t('cli:col.evidence'))
    parts.push(
      table(
        header,
        p.steps.map((s) => {
          const row = [
            String(s.order),
            s.code + (s.ratio_code ? ` (→ ${s.ratio_code})` : ''),
            s.current === null ? t('plan:blank') : String(s.current),
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
        headers(
          'cli:col.out_of_reach',
          'cli:col.best_actual',
          'cli:col.required',
          'cli:col.points_short',
          'cli:col.description',
        ),
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
