import fp from 'fastify-plugin'
import type { Database, Db } from '../../db/connection.js'

declare module 'fastify' {
  interface FastifyInstance {
    database: Database
    db: Db
  }
}

export interface DatabasePluginOptions {
  database: Database
  /** Close the database when the app closes (true when the app opened it). */
  closeOnShutdown: boolean
}

export default fp<DatabasePluginOptions>(
  async (app, options) => {
    app.decorate('database', options.database)
    app.decorate('db', options.database.db)
    if (options.closeOnShutdown) app.addHook('onClose', async () => options.database.close())
  },
  { name: 'database' },
)
