/**
 * The official LKE ZI workbook the service fills, and its row map, both committed beside this module
 * (src/modules/workbook/template/, made by scripts/workbook/make-template.ts from the Pemda copy
 * with K185, L175 and J8 corrected). Like the instrument seed, `tsc` does not copy them into dist/:
 * from a build they are found under the project root (`<root>/src/modules/workbook/template/`), so
 * an image must carry that folder.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { projectRoot } from '../../lib/paths.js'
import type { RowMap } from './rules.js'

export const TEMPLATE_FILE = 'lke-zi-form.xlsx'
export const ROW_MAP_FILE = 'lke-zi-2026.rowmap.json'

export function templateFilePath(name: string): string {
  const beside = fileURLToPath(new URL(`./template/${name}`, import.meta.url))
  if (existsSync(beside)) return beside
  const fromRoot = join(projectRoot(), 'src', 'modules', 'workbook', 'template', name)
  if (existsSync(fromRoot)) return fromRoot
  throw new Error(
    `workbook template file ${name} not found beside ${fileURLToPath(import.meta.url)} nor at ${fromRoot}`,
  )
}

// Both files are part of the release and never change while it runs: read once per process.
let template: Buffer | undefined
let rowMap: RowMap | undefined

export function templateBytes(): Buffer {
  template ??= readFileSync(templateFilePath(TEMPLATE_FILE))
  return template
}

export function loadRowMap(): RowMap {
  rowMap ??= JSON.parse(readFileSync(templateFilePath(ROW_MAP_FILE), 'utf8')) as RowMap
  return rowMap
}
