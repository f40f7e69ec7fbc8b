/**
 * The aspects chart of a campaign as an SVG image (plain text, no dependencies): a horizontal bar
 * per aspect on the 0–4 scale, the index of each survey and the WBK threshold as a dashed line,
 * so an operator can paste it into the survey report.
 */
import { roundHalfUp } from './rules.js'

export interface ChartSurvey {
  title: string
  index: number | null
  /** the WBK minimum (IPAK 3.60, IPKP 3.20; PermenPANRB 90/2021 Lampiran II, hlm. 53–54) */
  threshold: number
  aspects: { aspect: string; mean: number | null }[]
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const num = (x: number | null): string => (x === null ? '–' : roundHalfUp(x).toFixed(2).replace('.', ','))

export function aspectsChartSvg(heading: string, subheading: string, surveys: ChartSurvey[]): string {
  const width = 720
  const left = 190
  const barMax = 440
  const rowH = 28
  const parts: string[] = []
  let y = 64
  for (const s of surveys) {
    parts.push(`<text x="16" y="${y}" font-size="15" font-weight="bold">${esc(s.title)}: indeks ${num(s.index)}</text>`)
    y += 12
    const top = y
    for (const a of s.aspects) {
      const w = a.mean === null ? 0 : (a.mean / 4) * barMax
      parts.push(
        `<text x="${left - 8}" y="${y + 18}" font-size="13" text-anchor="end">${esc(a.aspect)}</text>`,
        `<rect x="${left}" y="${y + 5}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${
          a.mean !== null && a.mean >= s.threshold ? '#2e7d32' : '#c62828'
        }"/>`,
        `<text x="${left + w + 6}" y="${y + 18}" font-size="13">${num(a.mean)}</text>`,
      )
      y += rowH
    }
    const tx = left + (s.threshold / 4) * barMax
    parts.push(
      `<line x1="${tx.toFixed(1)}" y1="${top}" x2="${tx.toFixed(1)}" y2="${y}" stroke="#333" stroke-dasharray="4 3"/>`,
      `<text x="${tx.toFixed(1)}" y="${y + 14}" font-size="11" text-anchor="middle">batas WBK ${num(s.threshold)}</text>`,
    )
    y += 40
  }
  const axis = [0, 1, 2, 3, 4]
    .map((v) => `<text x="${left + (v / 4) * barMax}" y="${y}" font-size="11" text-anchor="middle">${v}</text>`)
    .join('')
  const height = y + 20
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Arial, Helvetica, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="16" y="26" font-size="18" font-weight="bold">${esc(heading)}</text>`,
    `<text x="16" y="46" font-size="13">${esc(subheading)}</text>`,
    ...parts,
    axis,
    '</svg>',
  ].join('\n')
}
