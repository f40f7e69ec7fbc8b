import { createHash } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { systemContext } from '../../lib/command.js'
import { ProblemError, problemResponses } from '../../lib/problem.js'
import { SubmissionRefused, submitResponse } from './commands.js'
import { PAGE_CSP, formPage, messagePage, thanksPage } from './html.js'
import * as S from './schemas.js'
import { campaignByToken, campaignSets, itemsOf, windowState } from './service.js'
import { msg } from '../../lib/i18n.js'

export interface PublicSurveyOptions {
  /** responses one address may post to one campaign per window */
  submitMax: number
  submitWindowMs: number
}

const TAGS = ['survey (public)']
const PUBLIC = { policy: { public: true as const } }
/** A form post is small: about 20 answers and a few choices. */
const FORM_BODY_LIMIT = 16 * 1024

/** A browser navigating or posting the form asks for HTML; a program gets problem+json. */
const wantsHtml = (request: FastifyRequest): boolean => /text\/html/.test(String(request.headers.accept ?? ''))

function sendPage(reply: FastifyReply, status: number, html: string) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CSP)
    .header('cache-control', 'no-store')
    .send(html)
}

/** An error a browser gets as a page and a program as problem+json. */
const withPage = (status: number, description: string) => {
  const problem = problemResponses(status)[status]!
  return { description, content: { ...problem.content, ...S.HtmlResponse(description).content } }
}

const NOT_FOUND = 'Tautan survei ini tidak dikenal. Periksa kembali tautan atau kode QR yang Anda terima.'

/**
 * The respondents' side, without an account: GET the form, POST the answers. A token names one
 * campaign and cannot be guessed; an unknown token gets the same answer whatever it is, and no
 * route lists units or campaigns. Posting is rate-limited per address and campaign on top of the
 * per-address limit every request already spends.
 */
const publicSurveyRoutes: FastifyPluginAsyncTypebox<PublicSurveyOptions> = async (app, options) => {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_req, body, done) => {
      const fields: Record<string, string> = Object.create(null)
      for (const [k, v] of new URLSearchParams(body as string)) fields[k] = v
      done(null, fields)
    },
  )
  const limiter = app.createRateLimit({
    max: options.submitMax,
    timeWindow: options.submitWindowMs,
    // The token is hashed: the counter's key does not carry a working link.
    keyGenerator: (request) =>
      `survey:${request.ip}:${createHash('sha256')
        .update((request.params as { token?: string }).token ?? '')
        .digest('base64url')
        .slice(0, 22)}`,
  })

  app.get(
    '/:token',
    {
      schema: {
        tags: TAGS,
        summary: 'The survey form of a campaign (HTML, Bahasa Indonesia)',
        operationId: 'getPublicSurveyForm',
        params: S.TokenParams,
        querystring: S.FormQuery,
        response: {
          200: S.HtmlResponse('the form'),
          ...problemResponses(400, 429),
          404: withPage(404, 'no such survey (the same for every unknown token): a page for a browser'),
          409: withPage(409, 'the survey is not open yet or any more: a page for a browser'),
        },
      },
      config: PUBLIC,
    },
    async (request, reply) => {
      const found = await campaignByToken(app.db, request.params.token)
      if (!found) {
        if (!wantsHtml(request)) throw new ProblemError(404, 'survey_not_found', msg('survey:survey_not_found'))
        return sendPage(reply, 404, messagePage('Survei tidak ditemukan', NOT_FOUND))
      }
      const state = windowState(found.campaign)
      if (state !== 'open' && !wantsHtml(request))
        throw new ProblemError(
          409,
          'survey_closed',
          state === 'scheduled' ? msg('survey:survey_not_open') : msg('survey:survey_closed'),
        )
      if (state !== 'open')
        return sendPage(
          reply,
          409,
          messagePage(
            state === 'scheduled' ? 'Survei belum dibuka' : 'Survei sudah ditutup',
            state === 'scheduled'
              ? `Survei dibuka pada ${found.campaign.opensAt.toISOString().slice(0, 10)}.`
              : 'Terima kasih atas perhatian Anda; survei ini tidak lagi menerima jawaban.',
          ),
        )
      const sets = itemsOf(await campaignSets(app.db, found.campaign))
      return sendPage(
        reply,
        200,
        formPage({
          action: request.url.split('?')[0]!,
          unitName: found.unitName,
          campaignName: found.campaign.name,
          serviceTypes: found.campaign.serviceTypes,
          sets,
          requiresInvitation: found.campaign.requiresInvitation,
          values: request.query.kode ? { kode: request.query.kode } : {},
        }),
      )
    },
  )

  app.post(
    '/:token',
    {
      schema: {
        tags: TAGS,
        summary: 'Send one response (the form’s POST; anonymous, cannot be changed afterwards)',
        description:
          'application/x-www-form-urlencoded, at most 16 KiB. Each item ipak.<code> / ipkp.<code> = 1–4; service_type, age_band, education optional; kode (the invitation code) where the campaign uses them: an unknown code 422 invitation_unknown, a used one 409 invitation_used. No name, phone or e-mail field exists; an unknown field is refused. Limited per address and campaign (SURVEY_SUBMIT_MAX per SURVEY_SUBMIT_WINDOW_MS, 429). A browser (Accept: text/html) gets the pages; other clients problem+json.',
        operationId: 'postPublicSurveyResponse',
        consumes: ['application/x-www-form-urlencoded'],
        params: S.TokenParams,
        body: S.FormBody,
        response: {
          201: S.HtmlResponse('thank-you page'),
          ...problemResponses(400, 413, 415),
          404: withPage(404, 'no such survey'),
          409: withPage(409, 'the survey is not open, or the invitation code was used'),
          422: withPage(422, 'an answer is missing or not valid: the form again, with the problems marked'),
          429: withPage(429, 'too many responses from this address to this survey'),
        },
      },
      config: PUBLIC,
      bodyLimit: FORM_BODY_LIMIT,
      onRequest: async (request, reply) => {
        const result = await limiter(request)
        if (result.isAllowed || !result.isExceeded) return
        const wait = Math.max(1, result.ttlInSeconds)
        reply.header('retry-after', String(wait))
        if (wantsHtml(request))
          return sendPage(
            reply,
            429,
            messagePage('Terlalu banyak pengiriman', `Coba lagi dalam ${Math.ceil(wait / 60)} menit.`),
          )
        throw new ProblemError(
          429,
          'rate_limited',
          msg('survey:rate_limited', { wait }),
          {},
          { 'retry-after': String(wait) },
        )
      },
    },
    async (request, reply) => {
      const ctx = systemContext(app.db, 'survey respondent (anonymous)')
      try {
        const { unitName } = await submitResponse(ctx, request.params.token, { ...request.body })
        return sendPage(reply, 201, thanksPage(unitName))
      } catch (error) {
        if (!(error instanceof SubmissionRefused) || !wantsHtml(request)) throw error
        if (error.code === 'survey_not_found')
          return sendPage(reply, 404, messagePage('Survei tidak ditemukan', NOT_FOUND))
        if (error.code === 'survey_closed')
          return sendPage(reply, 409, messagePage('Survei tidak dibuka', app.messages.translator('id')(error.detail)))
        const found = await campaignByToken(app.db, request.params.token)
        if (!found) return sendPage(reply, 404, messagePage('Survei tidak ditemukan', NOT_FOUND))
        return sendPage(
          reply,
          error.status,
          formPage({
            action: request.url.split('?')[0]!,
            unitName: found.unitName,
            campaignName: found.campaign.name,
            serviceTypes: found.campaign.serviceTypes,
            sets: itemsOf(await campaignSets(app.db, found.campaign)),
            requiresInvitation: found.campaign.requiresInvitation,
            values: { ...request.body, website: '' },
            // The public form is in Bahasa Indonesia, whatever the browser asks for.
            problems: (error.problems.length ? error.problems : [{ field: '_', message: error.detail }]).map((p) => ({
              field: p.field,
              message: app.messages.translator('id')(p.message),
            })),
          }),
        )
      }
    },
  )
}

export default publicSurveyRoutes
