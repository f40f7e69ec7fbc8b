// `npm run migrate`: apply pending migrations to DATABASE_URL or the PGlite data in DATA_DIR.
process.argv.splice(2, process.argv.length, 'migrate')
await import('./admin.js')
