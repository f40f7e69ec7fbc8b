/**
 * No import cycles: `npm run check:cycles` (run by .ci/run).
 *
 * dependency-cruiser reads the import graph of src/ (type-only imports included: they still tie
 * one module's code to another's) and checks .dependency-cruiser.cjs's rules, file by file (no
 * cycle between files anywhere). The files of src/modules/ are then grouped by module and every
 * cycle between modules is reported: a module may depend on another, or be depended on by it,
 * not both. (src/db/schema.ts gathers every module's tables for drizzle; the shared layers
 * src/lib, src/db, src/plugins are below the modules and not part of this graph.)
 */
import { cruise, type ICruiseResult } from 'dependency-cruiser'
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'
import { join } from 'node:path'
import { projectRoot } from '../src/lib/paths.js'

const root = projectRoot()
process.chdir(root)
const config = await extractDepcruiseConfig(join(root, '.dependency-cruiser.cjs'))
const result = (await cruise(['src'], { ...config.options, ruleSet: config, validate: true }, undefined, {
  tsConfig: extractTSConfig(join(root, 'tsconfig.json')),
})) as { output: ICruiseResult }
const { modules, summary } = result.output

/** A file's module (src/modules/<name>), if it is in one. */
const home = (file: string): string | undefined => /^src\/modules\/([^/]+)\//.exec(file)?.[1]

const edges = new Map<string, Map<string, string>>() // from home → to home → an example import
for (const mod of modules) {
  const from = home(mod.source)
  if (!from) continue
  for (const dep of mod.dependencies) {
    const to = home(dep.resolved)
    if (!to || to === from) continue
    const out = edges.get(from) ?? new Map<string, string>()
    if (!out.has(to)) out.set(to, `${mod.source} → ${dep.resolved}`)
    edges.set(from, out)
  }
}

// Tarjan's strongly connected components: every component of more than one home is a cycle.
const index = new Map<string, number>()
const low = new Map<string, number>()
const stack: string[] = []
const onStack = new Set<string>()
const components: string[][] = []
let counter = 0
const visit = (v: string): void => {
  index.set(v, counter)
  low.set(v, counter)
  counter++
  stack.push(v)
  onStack.add(v)
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!index.has(w)) {
      visit(w)
      low.set(v, Math.min(low.get(v)!, low.get(w)!))
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
  }
  if (low.get(v) === index.get(v)) {
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1) components.push(component.sort())
  }
}
for (const v of [...new Set(modules.map((m) => home(m.source)).filter((h): h is string => h !== undefined))].sort())
  if (!index.has(v)) visit(v)

let failed = false
for (const v of summary.violations) {
  failed = true
  console.error(`${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : ''}`)
}
for (const component of components) {
  failed = true
  const members = new Set(component)
  console.error(`import cycle between ${component.join(', ')}:`)
  for (const from of component)
    for (const [to, example] of edges.get(from) ?? [])
      if (members.has(to)) console.error(`  ${from} → ${to}   e.g. ${example}`)
}
if (failed) process.exit(1)
console.log(`no import cycles: ${modules.length} files, ${edges.size} modules importing others`)
