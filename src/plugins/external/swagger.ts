import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../lib/paths.js'

/**
 * Every tag a route uses, declared once with a description (the OpenAPI linters refuse an
 * undeclared tag, so a route with a new tag fails CI until it is added here), in reading order.
 */
export const openApiTags = [
  { name: 'health', description: 'Liveness and readiness probes for the load balancer; no token needed.' },
  {
    name: 'auth',
    description: 'Principals, their grants (a role, optionally on a unit subtree) and API tokens; `GET /v1/me`.',
  },
  { name: 'audit', description: 'The append-only, hash-chained audit trail of every mutation, and its verification.' },
  { name: 'units', description: 'The unit registry: one tree per instansi (Pemda) of OPDs and unit kerja.' },
  {
    name: 'periods',
    description:
      'Evaluation periods: the instrument version used and the four windows (self-assessment, TPI verification, revision, proposal).',
  },
  {
    name: 'declarations',
    description: 'ZI declarations (pencanangan) of a unit in a period toward WBK or WBBM, and their lifecycle.',
  },
  {
    name: 'evidence',
    description: 'Evidence (data dukung): uploaded files and links of a unit, carried from period to period.',
  },
  {
    name: 'instruments',
    description:
      'The LKE instrument as versioned data: import, clone, edit, diff, publish, retire, and what-if scoring.',
  },
  {
    name: 'assessments',
    description:
      'A unit’s assessment in a period: stages (self, tpi, tpn, sanggah), answers, transitions, comments, scores and eligibility.',
  },
  {
    name: 'workbook',
    description: 'The official LKE workbook (.xlsx) export and import of a stage, and a period’s answers as CSV.',
  },
  {
    name: 'dashboards',
    description: 'Read-only figures per period, OPD, unit and question over the caller’s scope, cached with ETags.',
  },
  {
    name: 'events',
    description: 'The change feed: domain events after a cursor, in commit order, within the caller’s scope.',
  },
  {
    name: 'webhooks',
    description: 'Webhook subscriptions (Standard Webhooks signatures), their secrets and delivery logs.',
  },
  {
    name: 'portalrb',
    description:
      'The three endpoints KemenPANRB’s PortalRB pulls, in its integration guide’s shapes and error envelope.',
  },
  {
    name: 'proposals',
    description:
      'Pengusulan: the instansi gate per period, the proposal package, score-gated proposals with a dry run, the national outcome (administrative selection, sanggah, TPN evaluation, designation, revocation) and predicate history.',
  },
  {
    name: 'reports',
    description:
      'Documents as PDF (A4, Indonesian) and the same data as JSON: the TPI’s LHE internal of a unit, the instansi’s draft surat usulan and SPTJM (docs/reports.md).',
  },
  {
    name: 'survey',
    description:
      'Survei mandiri (IPAK, IPKP): questionnaires, campaigns per unit and period, responses, the index and its proposal for Q125/Q127 (docs/survey.md).',
  },
  {
    name: 'survey (public)',
    description: 'The respondents’ form of a campaign, without an account (HTML, Bahasa Indonesia).',
  },
  {
    name: 'actions',
    description:
      'Rencana aksi: actions per unit, period and area perubahan (by hand or from an improvement plan), monthly realisation with evidence, the TPI’s monitoring notes, overdue actions (docs/action-plans.md).',
  },
  {
    name: 'notifications',
    description:
      'Notices by e-mail: my preferences (language, daily digest, kinds), the unsubscribe link, and the admin’s list of every notice with its attempts (docs/notifications.md).',
  },
  { name: 'bench', description: 'Benchmark ceilings, served only with BENCH_ROUTES=true.' },
]

/** The package's own version: the document describes the API this release serves. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version
}

/**
 * OpenAPI 3.1 document from the route schemas, the interactive docs at /docs and /openapi.json.
 * `bench`: whether the benchmark routes are served; their tag is listed only then.
 */
export default fp<{ bench?: boolean }>(
  async (app, options) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'zi-tracker API',
          version: packageVersion(),
          description:
            'Zona Integritas (WBK/WBBM) programme API for Indonesian local governments: unit registry, ' +
            'LKE instruments and scoring, declarations, assessments and the PortalRB integration. ' +
            'Errors are application/problem+json (RFC 9457) with a stable `code`.',
          license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
          contact: { name: 'zi-tracker maintainers' },
        },
        // Relative: the document describes the server it is served from, whatever its address.
        servers: [{ url: '/', description: 'the server serving this document' }],
        tags: options.bench ? openApiTags : openApiTags.filter((tag) => tag.name !== 'bench'),
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token: zit_<prefix>_<secret>' },
          },
        },
        security: [{ bearerAuth: [] }],
      },
      // Name shared components after their $id instead of def-0, def-1.
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    })
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      // The plugin's policy also says upgrade-insecure-requests: a browser opening /docs over plain
      // http on a LAN address (a Pemda's intranet server) would then ask for its assets over https
      // and show a blank page. TLS is the load balancer's concern (HSTS is sent); drop it here.
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    })
    app.get('/openapi.json', { schema: { hide: true }, config: { policy: { public: true } } }, async () =>
      app.swagger(),
    )
  },
  { name: 'swagger' },
)
