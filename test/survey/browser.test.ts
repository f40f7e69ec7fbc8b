/**
 * The public survey form in a real browser on a phone-sized screen: Debian's Chromium, headless,
 * driven by puppeteer-core. The page fits the screen, a respondent answers every question and
 * sends; the answer counts. A screenshot of the form is kept in .tap/artifacts/.
 */
import { mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import puppeteer from 'puppeteer-core'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { hoursFromNow, insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARTIFACTS = join(process.cwd(), '.tap', 'artifacts')

t.test('a respondent answers the survey on a phone', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false' })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const period = await insertPeriod(ctx)
  const admin = bearer(await createToken(ctx, 'admin'))
  const created = await app.inject({
    method: 'POST',
    url: '/v1/survey/campaigns',
    headers: admin,
    payload: {
      unit_id: tree.a1.id,
      period_id: period.id,
      name: 'Survei Pelayanan 2026',
      service_types: ['Rawat jalan', 'Imunisasi'],
      opens_at: hoursFromNow(-1),
      closes_at: hoursFromNow(24),
    },
  })
  t.equal(created.statusCode, 201)
  const campaign = created.json()
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}${new URL(campaign.public_url).pathname}`

  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  await page.setViewport({ width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
  const blocked: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') blocked.push(m.text())
  })
  const res = await page.goto(url, { waitUntil: 'load' })
  t.equal(res?.status(), 200)
  t.equal(await page.$eval('html', (h) => h.getAttribute('lang')), 'id')
  t.match(await page.title(), /Puskesmas Satu/)
  const widths = await page.evaluate(() => {
    // runs in the page (the tests' types have no DOM)
    const w = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number }
    return { scroll: w.document.documentElement.scrollWidth, inner: w.innerWidth }
  })
  t.ok(widths.scroll <= widths.inner, `the page fits the phone's width (${widths.scroll} ≤ ${widths.inner})`)
  const radioNames = await page.$$eval('input[type=radio]', (inputs) => [
    ...new Set(inputs.map((i) => (i as unknown as { name: string }).name)),
  ])
  t.equal(radioNames.length, 14, 'five IPAK and nine IPKP questions')
  const target = await page.$eval('input[type=radio]', (i) => i.getBoundingClientRect().height)
  t.ok(target >= 20, 'the choices are big enough to tap')

  await page.select('select[name=service_type]', 'Imunisasi')
  await page.select('select[name=education]', 's1')
  for (const name of radioNames) await page.click(`input[name="${name}"][value="4"]`)
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, 'survey-form-phone.png'), fullPage: true })
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')])
  t.match(await page.$eval('main', (m) => m.textContent ?? ''), /Jawaban Anda sudah kami terima/)
  await page.screenshot({ path: join(ARTIFACTS, 'survey-thanks-phone.png') })
  t.same(blocked, [], 'nothing on the pages was blocked or failed (CSP, assets)')

  const results = await app.inject({
    method: 'GET',
    url: `/v1/survey/campaigns/${campaign.id}/results`,
    headers: admin,
  })
  const r = results.json()
  t.equal(r.respondents, 1)
  t.equal(r.ipak.index_rounded, 4)
  t.same(
    r.composition.by_service_type.map((c: { service_type: string; respondents: number }) => [
      c.service_type,
      c.respondents,
    ]),
    [
      ['Rawat jalan', 0],
      ['Imunisasi', 1],
    ],
  )
})
