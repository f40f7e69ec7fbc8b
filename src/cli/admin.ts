// Admin commands (`npm run cli -- …`): migrations and tokens, straight on the database. The
// evaluator's `zi` CLI, which talks HTTP, is packages/client.
import { parseArgs } from 'node:util'
import { loadConfig, ConfigError, type Config } from '../config.js'
import { copyEvidence } from '../modules/evidence/copy.js'
import { FsEvidenceStore, createEvidenceStore } from '../modules/evidence/storage.js'
import { DataDirInUseError, openDatabase } from '../db/connection.js'
import { ROLES, type Role } from '../lib/policy.js'
import { systemContext } from '../lib/command.js'
import { createPrincipalWithToken } from '../modules/auth/commands.js'

const USAGE = `Usage:
  npm run cli -- migrate
  npm run cli -- token create --role <${ROLES.join('|')}> --name <name> [--unit <unit id>] [--expires <ISO date-time>]
  npm run cli -- evidence copy-to-s3    copies DATA_DIR/evidence into the S3_* bucket and verifies every hash

Uses DATABASE_URL when set, else the PGlite data in DATA_DIR (default ./data), which must not be
open in a running server: PGlite allows one process at a time.`

/** Exit 0 when every file is in the bucket with the right hash, 1 when some are not (listed on stderr). */
async function copyToS3(config: Config): Promise<number> {
  const from = new FsEvidenceStore(config.DATA_DIR)
  const to = await createEvidenceStore({ ...config, EVIDENCE_STORE: 's3' })
  try {
    console.error(`copying ${from.location} to ${to.location}`)
    const report = await copyEvidence(from, to)
    for (const failure of report.failed) console.error(`FAILED ${failure.sha256}: ${failure.reason}`)
    console.error(
      `copied ${report.copied}, already there ${report.present}, verified ${report.verified}, failed ${report.failed.length}`,
    )
    console.log(JSON.stringify(report))
    return report.failed.length === 0 ? 0 : 1
  } finally {
    to.close()
  }
}

/** Exit codes: 0 ok, 2 usage, 69 database unavailable or busy, 78 configuration. */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      unit: { type: 'string' },
      expires: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const command = positionals.join(' ')
  if (values.help || !['migrate', 'token create', 'evidence copy-to-s3'].includes(command)) {
    console.error(USAGE)
    return values.help ? 0 : 2
  }
  if (command === 'token create') {
    if (!values.role || !(ROLES as readonly string[]).includes(values.role) || !values.name) {
      console.error(`token create needs --role (${ROLES.join(', ')}) and --name\n\n${USAGE}`)
      return 2
    }
    if (values.expires && Number.isNaN(Date.parse(values.expires))) {
      console.error('--expires must be an ISO date-time, e.g. 2027-01-31T00:00:00Z')
      return 2
    }
  }

  const config = loadConfig()
  if (command === 'evidence copy-to-s3') return copyToS3(config)
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolMax: 2 })
  try {
    await database.migrate()
    if (command === 'migrate') {
      console.error('migrations applied')
      return 0
    }
    const created = await createPrincipalWithToken(systemContext(database.db, 'cli'), {
      name: values.name as string,
      kind: 'user',
      role: values.role as Role,
      unitId: values.role === 'admin' ? null : (values.unit ?? null),
      expiresAt: values.expires ? new Date(values.expires) : null,
    })
    // The token alone on stdout so scripts can capture it; the rest on stderr.
    console.error(
      `created ${created.role} token "${created.name}" (id ${created.id}, principal ${created.principal_id}); store it now, it is not shown again:`,
    )
    console.log(created.token)
    return 0
  } finally {
    await database.close()
  }
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exitCode = 78
  } else if (err instanceof DataDirInUseError) {
    console.error(err.message)
    process.exitCode = 69
  } else {
    console.error(`error: ${(err as Error).message}`)
    process.exitCode = 1
  }
}
