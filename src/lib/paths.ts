import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project root (the folder holding package.json), whether running from src/ or dist/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the project root (package.json beside migrations/)')
    dir = parent
  }
}

export const migrationsFolder = (): string => join(projectRoot(), 'migrations')
