import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { startServer, zi } from '../helpers/zi-cli.js'

/** `zi units import` and `zi declare`: the ceremony's day from the command line. */
t.test('zi units import and zi declare', async (t) => {
  const ctx = await startServer(t)
  const env = { ZI_URL: ctx.url, ZI_TOKEN: await createToken(ctx, 'admin'), HOME: mkdtempSync(join(tmpdir(), 'zi-')) }
  const dir = mkdtempSync(join(tmpdir(), 'zi-sotk-'))
  const sotk = join(dir, 'sotk.csv')
  const lines = ['kode,nama,jenis,kode_induk', 'KAB-Z,Pemerintah Kabupaten Z,instansi,']
  for (let i = 1; i <= 5; i++) lines.push(`OPD-${i},Dinas ${i},opd,KAB-Z`, `OPD-${i}.1,Bidang ${i},unit,OPD-${i}`)
  writeFileSync(sotk, `${lines.join('\n')}\n`)

  const preview = await zi(['units', 'import', sotk, '--dry-run'], env)
  t.equal(preview.code, 0, preview.stderr)
  t.match(preview.stderr, /dry run, nothing written: 11 rows of KAB-Z: 11 new/)
  t.match(preview.stdout, /^5\s+OPD-2\s+opd\s+KAB-Z\s+new/m)
  const applied = await zi(['units', 'import', sotk], env)
  t.equal(applied.code, 0, applied.stderr)
  t.match(applied.stderr, /11 new/)
  const again = await zi(['units', 'import', sotk], env)
  t.match(again.stderr, /0 new, 0 moved, 0 changed, 11 unchanged/)

  writeFileSync(sotk, `${[...lines, 'OPD-6.1,Bidang X,unit,OPD-6'].join('\n')}\n`)
  const bad = await zi(['units', 'import', sotk], env)
  t.equal(bad.code, 2, 'refused as invalid')
  t.match(bad.stderr, /registry_rows_invalid/)
  t.match(bad.stderr, /^13\s+kode_induk\s+parent_not_in_file/m, 'the bad row by its line')

  const units = await zi(['units', '--kind', 'instansi', '--json'], env)
  const instansi = JSON.parse(units.stdout)[0].id as string
  const period = await insertPeriod(ctx, { year: 2026 })
  const declare = (...extra: string[]) =>
    zi(
      [
        'declare',
        '--period',
        period.id,
        '--date',
        '2026-12-09',
        '--instansi',
        instansi,
        '--document',
        'piagam_pencanangan=https://kabz.go.id/piagam.pdf',
        '--document',
        'pakta_integritas=https://kabz.go.id/pakta.pdf',
        ...extra,
      ],
      env,
    )
  const dry = await declare('--dry-run')
  t.equal(dry.code, 0, dry.stderr)
  t.match(dry.stderr, /dry run, nothing written: 5 units can be declared, 0 refused/)
  t.match(dry.stdout, /^OPD-1\s+Dinas 1\s+WBK\s+ok/m)
  const done = await declare()
  t.equal(done.code, 0, done.stderr)
  t.match(done.stderr, /declared 5 units for WBK on 2026-12-09/)
  const twice = await declare('--idempotency-key', 'second-try')
  t.equal(twice.code, 2, 'refused: every OPD is already declared')
  t.match(twice.stderr, /declarations_refused/)
  t.match(twice.stderr, /^OPD-1\s+Dinas 1\s+WBK\s+refused\s+declaration_exists/m)
})
