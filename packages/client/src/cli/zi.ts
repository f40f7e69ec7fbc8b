// The `zi` evaluator CLI (package.json `bin` → bin/zi.js → this file). See ./zi/main.ts.
import { main } from './zi/main.js'

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // `zi units | head`: the reader went away; that is not a failure of ours.
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})
process.exitCode = await main(process.argv.slice(2))
