/**
 * The six areas of change (area perubahan) of PermenPANRB 90/2021, Lampiran I, Tahap pembangunan
 * (pp. 13–15). The LKE tree holds each area twice, under Pemenuhan and under Reform, as
 * `area_perubahan` nodes named "1. MANAJEMEN PERUBAHAN" … "6. PENINGKATAN KUALITAS PELAYANAN
 * PUBLIK"; the number before the dot is the area. Action plans and the TPI's conclusions are per
 * area, so both halves of the tree map to one code.
 */
import { ancestorsOf, type TreeIndex } from './tree.js'
import type { InstrumentNode } from './types.js'

export const AREA_CODES = [
  'manajemen_perubahan',
  'penataan_tatalaksana',
  'penataan_sdm',
  'penguatan_akuntabilitas',
  'penguatan_pengawasan',
  'pelayanan_publik',
] as const
export type AreaCode = (typeof AREA_CODES)[number]

/** The regulation's names, in its order (Lampiran I, C. Tahap pembangunan). */
export const AREA_NAMES: Record<AreaCode, string> = {
  manajemen_perubahan: 'Manajemen Perubahan',
  penataan_tatalaksana: 'Penataan Tatalaksana',
  penataan_sdm: 'Penataan Sistem Manajemen SDM Aparatur',
  penguatan_akuntabilitas: 'Penguatan Akuntabilitas',
  penguatan_pengawasan: 'Penguatan Pengawasan',
  pelayanan_publik: 'Peningkatan Kualitas Pelayanan Publik',
}

/** The area of an `area_perubahan` node from its name's leading number ("3. PENATAAN …" → penataan_sdm). */
export function areaOfAreaNode(node: Pick<InstrumentNode, 'level' | 'name'>): AreaCode | null {
  if (node.level !== 'area_perubahan') return null
  const match = /^\s*([1-6])\s*[.)]/.exec(node.name)
  return match ? (AREA_CODES[Number(match[1]) - 1] ?? null) : null
}

/** The area a node (a question, a sub-area) belongs to; null for Hasil and nodes above the areas. */
export function areaOf(index: TreeIndex, node: InstrumentNode): AreaCode | null {
  const own = areaOfAreaNode(node)
  if (own) return own
  for (const ancestor of ancestorsOf(index, node)) {
    const area = areaOfAreaNode(ancestor)
    if (area) return area
  }
  return null
}
