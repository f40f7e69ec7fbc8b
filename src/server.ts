import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { DataDirInUseError } from './db/connection.js'

async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }
  let app
  try {
    app = await buildApp({ config })
  } catch (err) {
    if (err instanceof DataDirInUseError || err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78)
    }
    throw err
  }
  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the pool; give up after 25 s.
  closeWithGrace({ delay: 25_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  await app.listen({ port: config.PORT, host: config.HOST })
}

await main()
