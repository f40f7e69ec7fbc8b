/**
 * The seeded instrument version LKE-ZI-2026: PortalRB's master soal (a verbatim copy of
 * shared/reference/portalrb-master-soal-lke-zi-2026.json) imported with the overlay beside it (ratio
 * formulas and WBK/WBBM predicate rules). The JSON files live beside this module in src/; `tsc` does not
 * copy them into dist/, so from a build they are found through the project root instead
 * (`<root>/src/modules/instruments/seed/`), which needs src/modules/instruments/seed/*.json in the image.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { projectRoot } from '../../../lib/paths.js'
import { importMasterSoal, type InstrumentDefinition, type InstrumentOverlay } from '../domain/index.js'

export const SEED_MASTER_SOAL_FILE = 'lke-zi-2026.master-soal.json'
export const SEED_OVERLAY_FILE = 'lke-zi-2026.overlay.json'

/** Where a seed file is: beside this module (running from src/), else under the project root's src/ (running from dist/). */
export function seedFilePath(name: string): string {
  const beside = fileURLToPath(new URL(`./${name}`, import.meta.url))
  if (existsSync(beside)) return beside
  const fromRoot = join(projectRoot(), 'src', 'modules', 'instruments', 'seed', name)
  if (existsSync(fromRoot)) return fromRoot
  throw new Error(`seed file ${name} not found beside ${fileURLToPath(import.meta.url)} nor at ${fromRoot}`)
}

const readJson = (name: string): unknown => JSON.parse(readFileSync(seedFilePath(name), 'utf8'))

export const loadSeedMasterSoal = (): unknown => readJson(SEED_MASTER_SOAL_FILE)
export const loadSeedOverlay = (): InstrumentOverlay => readJson(SEED_OVERLAY_FILE) as InstrumentOverlay

let cached: InstrumentDefinition | undefined

/** The LKE-ZI-2026 definition (a fresh copy each call; the files are read and validated once). */
export function loadSeedInstrument(): InstrumentDefinition {
  cached ??= importMasterSoal(loadSeedMasterSoal(), loadSeedOverlay())
  return structuredClone(cached)
}
