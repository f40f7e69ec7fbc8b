#!/usr/bin/env node
// `zi`, the evaluator CLI. The published package runs the compiled JavaScript (dist/); a checkout
// of the repository, where the TypeScript source sits beside this file and tsx is installed at
// the root, runs the source so it never runs stale compiled code and needs no build first.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const source = fileURLToPath(new URL('../src/cli/zi.ts', import.meta.url))
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(source).href)
} else {
  await import(new URL('../dist/cli/zi.js', import.meta.url).href)
}
