import { Writable } from 'node:stream'
import type { Test } from 'tap'
import { buildApp, type App } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { createTestDatabase, type TestDatabase } from './database.js'

export interface TestContext {
  app: App
  db: TestDatabase
  config: Config
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[]
}

/**
 * Builds the app on this test file's own database and closes both when the test ends.
 * Logs go to an in-memory array so tests can check what was (not) logged.
 */
export async function buildTestApp(t: Test, env: Record<string, string> = {}): Promise<TestContext> {
  const db = await createTestDatabase()
  // Parse workers under tsx start slowly on a busy machine, and inject() has no socket to time out:
  // a generous import deadline keeps workbook tests about workbooks (isolation.test.ts tests the deadline).
  // Tests read English details unless they ask otherwise (the service's default is Indonesian).
  const config = loadConfig({ LOG_LEVEL: 'info', IMPORT_TIMEOUT_MS: '240000', DEFAULT_LANGUAGE: 'en', ...env })
  const logs: Record<string, unknown>[] = []
  const logStream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  const app = await buildApp({ config, database: db.database, logStream })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    await db.destroy()
  })
  return { app, db, config, logs }
}
