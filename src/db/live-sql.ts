import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../lib/paths.js'
import * as locks from './locks.js'

/**
 * The live SQL: the current definition of every function and trigger, one file per area in
 * src/db/sql/. Migrations stay the history (append-only); these files are what runs today, and
 * test/foundation/live-sql.test.ts proves a migrated database matches them. A change is made
 * here, then copied into a new migration by `npm run sql:migration` (scripts/sql-migration.ts).
 *
 * `{{NAME}}` stands for a constant of src/db/locks.ts (the advisory lock ids), so the SQL and the
 * TypeScript take the same lock from one source.
 */
export const liveSqlFolder = (): string => join(projectRoot(), 'src', 'db', 'sql')

const LOCK_IDS = new Map<string, number>(
  Object.entries(locks).flatMap(([name, value]) => (typeof value === 'number' ? [[name, value] as const] : [])),
)

/** A file's text with its `{{NAME}}` placeholders filled in from src/db/locks.ts. */
export function renderLiveSql(text: string, file = 'live SQL'): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = LOCK_IDS.get(name)
    if (value === undefined) throw new Error(`${file}: {{${name}}} is not a constant of src/db/locks.ts`)
    return String(value)
  })
}

/** The live SQL files (sorted by name), rendered, each as its statements (split like migrations). */
export function liveSqlFiles(): { file: string; text: string; statements: string[] }[] {
  const dir = liveSqlFolder()
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const text = renderLiveSql(readFileSync(join(dir, file), 'utf8'), file)
      const statements = text
        .split('--> statement-breakpoint')
        .map((s) => s.trim())
        .filter((s) => s.replace(/^--.*$/gm, '').trim() !== '')
      return { file, text, statements }
    })
}
