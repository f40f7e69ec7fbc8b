#!/usr/bin/env node
// `zi`, the evaluator CLI (`npx zi …`). The package ships its TypeScript source and runs it
// through tsx (a runtime dependency), as `npm start` does, so a checkout never runs stale compiled
// code and needs no build first. Where the source is absent (the Docker image keeps only dist/),
// it runs the compiled JavaScript from `npm run build`.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const source = fileURLToPath(new URL('../src/cli/zi.ts', import.meta.url))
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(source).href)
} else {
  await import(new URL('../dist/src/cli/zi.js', import.meta.url).href)
}
