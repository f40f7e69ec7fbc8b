import { PGlite } from '@electric-sql/pglite'
import { fromPglite } from '/work/main/src/db/client.js'
let t = Date.now()
const a = await PGlite.create()
console.log('create', Date.now() - t); t = Date.now()
await fromPglite(a).migrate()
console.log('migrate', Date.now() - t); t = Date.now()
const dump = await a.dumpDataDir('none')
console.log('dump', Date.now() - t, dump.size); t = Date.now()
const b = await PGlite.create({ loadDataDir: dump })
console.log('load', Date.now() - t); t = Date.now()
const c = await a.clone()
console.log('clone', Date.now() - t); t = Date.now()
console.log((await b.query('select count(*) from units')).rows)
