import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ancestorsOf, indexTree } from './domain/index.js'
import { Type } from 'typebox'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { ProblemError, problemResponses } from '../../lib/problem.js'
import { requestContext } from '../../lib/command.js'
import {
  cloneInstrument,
  deleteInstrument,
  importInstrument,
  putInstrumentPredicateRules,
  setInstrumentStatus,
  updateInstrument,
  updateInstrumentNodes,
} from './commands.js'
import { diffInstruments } from './domain/index.js'
import * as S from './schemas.js'
import { scoreAnswerSet } from './score-view.js'
import { listVersions, loadVersion, nodeView, versionView } from './service.js'
import { ADMIN, READERS } from '../../lib/policy.js'
import type { IsolatedWork } from '../../lib/isolated-work.js'
import { msg } from '../../lib/i18n.js'

const SCORERS = { policy: { roles: ['admin', 'evaluator', 'unit_operator', 'viewer'] as const } }
const TAGS = ['instruments']
const InstrumentResponse = S.InstrumentView

export interface InstrumentRoutesOptions {
  /** the process's gate for parsing uploaded files (IMPORT_*): a master soal import holds a slot while its body is parsed and checked */
  uploads: IsolatedWork
}

/** The largest master soal document accepted: the real one (LKE ZI 2026) is 355 KB. */
export const MASTER_SOAL_MAX_BYTES = 2 * 1024 * 1024

const instrumentRoutes: FastifyPluginAsyncTypebox<InstrumentRoutesOptions> = async (app, options) => {
  // A slot is taken before the body is parsed (503 uploads_busy beyond the bound) and freed with the response.
  const slots = new WeakMap<object, () => void>()
  const releaseSlot = async (request: object) => {
    slots.get(request)?.()
    slots.delete(request)
  }
  app.get(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'List instrument versions',
        operationId: 'listInstruments',
        querystring: S.InstrumentListQuery,
        response: { 200: S.InstrumentPage, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request, reply) => {
      return sendPage(request, reply, await listVersions(app.db, request.query, request.query.limit ?? DEFAULT_LIMIT))
    },
  )

  app.post(
    '/import',
    {
      schema: {
        tags: TAGS,
        summary: 'Import a PortalRB master soal document as a new draft version',
        description:
          'The body is the master soal JSON exactly as PortalRB serves it. The master soal carries no ratio formulas nor predicate rules: pass overlay_from=<version id> to carry them from an existing version, or set them on the draft before publishing. Refused with 422 instrument_invalid listing each problem (unknown_answer_type, duplicate_code, weights_do_not_sum, formula_unknown_reference, …).',
        operationId: 'importInstrument',
        querystring: S.ImportQuery,
        body: S.MasterSoalDocument,
        response: { 201: InstrumentResponse, ...problemResponses(400, 401, 403, 404, 409, 413, 422, 503) },
      },
      config: ADMIN,
      bodyLimit: MASTER_SOAL_MAX_BYTES,
      preParsing: async (request) => {
        slots.set(request, await options.uploads.acquire())
      },
      onResponse: releaseSlot,
      onRequestAbort: releaseSlot,
    },
    async (request, reply) => {
      const row = await importInstrument(requestContext(request), { document: request.body, ...request.query })
      return reply.code(201).header('location', `/v1/instruments/${row.id}`).send(versionView(row))
    },
  )

  app.get(
    '/diff',
    {
      schema: {
        tags: TAGS,
        summary: 'Differences between two versions: added, removed, re-weighted, re-worded and moved nodes',
        operationId: 'diffInstruments',
        querystring: S.DiffQuery,
        response: { 200: S.DiffView, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const [from, to] = await Promise.all([
        loadVersion(app.db, request.query.from),
        loadVersion(app.db, request.query.to),
      ])
      return {
        from: { id: from.id, code: from.code },
        to: { id: to.id, code: to.code },
        ...diffInstruments(from.definition, to.definition),
      }
    },
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read a version: its predicate rules and whole tree',
        operationId: 'getInstrument',
        params: S.IdParams,
        response: { 200: InstrumentResponse, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request, reply) => {
      const row = await loadVersion(app.db, request.params.id)
      // A published version never changes: its digest is a strong validator.
      reply.header('etag', `"${row.digest}-${row.version}"`)
      return versionView(row)
    },
  )

  app.get(
    '/:id/nodes/:code',
    {
      schema: {
        tags: TAGS,
        summary: 'Read one node with its ancestors and children',
        operationId: 'getInstrumentNode',
        params: S.NodeParams,
        response: { 200: S.NodeDetail, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const row = await loadVersion(app.db, request.params.id)
      const tree = indexTree(row.definition)
      const node = tree.byCode.get(request.params.code)
      if (!node)
        throw new ProblemError(
          404,
          'node_not_found',
          msg('instruments:node_not_found', { code: row.code, code2: request.params.code }),
        )
      const ancestors = ancestorsOf(tree, node).map(nodeView)
      const children = (tree.children.get(node.code) ?? []).map(nodeView)
      return { node: nodeView(node), ancestors, children }
    },
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Rename a draft version',
        operationId: 'updateInstrument',
        params: S.IdParams,
        body: S.PatchInstrumentBody,
        response: { 200: InstrumentResponse, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      config: ADMIN,
    },
    async (request) =>
      versionView(await updateInstrument(requestContext(request), { id: request.params.id, ...request.body })),
  )

  app.patch(
    '/:id/nodes',
    {
      schema: {
        tags: TAGS,
        summary: 'Edit nodes of a draft version (names, weights, criteria, options, formulas)',
        description:
          'All changes are applied together and the whole version is validated after them: weights must still sum, formulas must name existing questions. All or nothing.',
        operationId: 'updateInstrumentNodes',
        params: S.IdParams,
        body: S.PatchNodesBody,
        response: { 200: InstrumentResponse, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      config: ADMIN,
    },
    async (request) =>
      versionView(await updateInstrumentNodes(requestContext(request), { id: request.params.id, ...request.body })),
  )

  app.put(
    '/:id/predicate-rules',
    {
      schema: {
        tags: TAGS,
        summary: 'Replace the WBK/WBBM predicate rules of a draft version',
        operationId: 'putInstrumentPredicateRules',
        params: S.IdParams,
        body: S.PredicateRulesBody,
        response: { 200: InstrumentResponse, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
      config: ADMIN,
    },
    async (request) =>
      versionView(
        await putInstrumentPredicateRules(requestContext(request), { id: request.params.id, ...request.body }),
      ),
  )

  app.post(
    '/:id/clone',
    {
      schema: {
        tags: TAGS,
        summary: 'Clone a version into a new draft (the way to correct a published one)',
        operationId: 'cloneInstrument',
        params: S.IdParams,
        body: S.CloneBody,
        response: { 201: InstrumentResponse, ...problemResponses(400, 401, 403, 404, 409) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const row = await cloneInstrument(requestContext(request), { id: request.params.id, ...request.body })
      return reply.code(201).header('location', `/v1/instruments/${row.id}`).send(versionView(row))
    },
  )

  for (const [action, to] of [
    ['publish', 'published'],
    ['retire', 'retired'],
  ] as const) {
    app.post(
      `/:id/${action}`,
      {
        schema: {
          tags: TAGS,
          summary:
            to === 'published'
              ? 'Publish a draft: it becomes immutable and usable by periods'
              : 'Retire a published version: no new periods may use it',
          operationId: `${action}Instrument`,
          params: S.IdParams,
          response: { 200: InstrumentResponse, ...problemResponses(400, 401, 403, 404, 409, 422) },
        },
        config: ADMIN,
      },
      async (request) => versionView(await setInstrumentStatus(requestContext(request), { id: request.params.id, to })),
    )
  }

  app.delete(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a draft or retired version that nothing uses',
        operationId: 'deleteInstrument',
        params: S.IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...problemResponses(400, 401, 403, 404, 409) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      await deleteInstrument(requestContext(request), { id: request.params.id })
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/:id/score',
    {
      schema: {
        tags: TAGS,
        summary: 'Score an answer set without storing it (what-if), with eligibility',
        description:
          'The same engine, explanation and eligibility as stored assessment stages. Unknown question codes or values not allowed for a question’s type are 422 answers_invalid listing each.',
        operationId: 'scoreInstrument',
        params: S.IdParams,
        querystring: S.ScoreQuery,
        body: S.ScoreBody,
        response: { 200: Type.Ref('Score'), ...problemResponses(400, 401, 403, 404, 422) },
      },
      config: SCORERS,
    },
    async (request) => {
      const row = await loadVersion(app.db, request.params.id)
      return scoreAnswerSet(row.definition, request.body.answers, {
        explain: request.query.explain ?? false,
        pointerPrefix: '/body/answers',
      })
    },
  )
}

export default instrumentRoutes
