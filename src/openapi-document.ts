import { PGlite } from '@electric-sql/pglite'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { fromPglite } from './db/connection.js'

/**
 * The OpenAPI document as the app serves it, rendered without a database server, on a
 * throwaway in-memory PGlite (migrated, because start-up seeds the bundled instrument).
 */
export async function renderOpenApi(): Promise<string> {
  const database = fromPglite(await PGlite.create())
  await database.migrate()
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), database })
  try {
    await app.ready()
    return `${JSON.stringify(app.swagger(), null, 2)}\n`
  } finally {
    await app.close()
    await database.close()
  }
}
