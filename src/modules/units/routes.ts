import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { type IsolatedWork, parseInWorker, workerModule } from '../../lib/isolated-work.js'
import type { RegistryFileResult } from './registry-file.js'
import { ifNoneMatchHits, versionEtag } from '../../lib/etag.js'
import { Type } from 'typebox'
import { requestContext } from '../../lib/command.js'
import { DEFAULT_LIMIT, sendPage } from '../../lib/pagination.js'
import { problemResponses } from '../../lib/problem.js'
import * as S from './schemas.js'
import {
  archiveUnit,
  createUnit,
  importRegistry,
  removeUnit,
  unarchiveUnit,
  updateUnit,
  type RegistryImportResult,
} from './commands.js'
import { REGISTRY_FILE_LIMITS } from './registry-file.js'
import { receiveRegistryUpload } from './upload.js'
import { listUnits, loadVisibleUnit, subtree, toUnitView } from './service.js'
import { ADMIN, READERS } from '../../lib/policy.js'

const TAGS = ['units']

/** The import's answer: every row's verdict and the missing units. */
function importView(result: RegistryImportResult, dryRun: boolean, archived: boolean): S.RegistryImportResult {
  const { plan } = result
  const count = (action: string) => plan.rows.filter((p) => p.action === action).length
  return {
    dry_run: dryRun,
    instansi: result.instansi,
    summary: {
      rows: plan.rows.length,
      new: count('new'),
      moved: count('moved'),
      changed: count('changed'),
      unchanged: count('unchanged'),
      restored: plan.rows.filter((p) => p.restore).length,
      missing: plan.missing.length,
      archived: result.archived.length,
    },
    rows: plan.rows.map((p) => ({
      line: p.row.line,
      code: p.row.code,
      kind: p.row.kind,
      parent_code: p.row.parentCode,
      action: p.action,
      restored: p.restore,
      unit_id: result.unitIds.get(p.row.code) ?? null,
      changes: p.changes,
    })),
    missing: plan.missing.map((u) => ({ unit_id: u.id, code: u.code, name: u.name, kind: u.kind, archived })),
  }
}

export interface UnitRoutesOptions {
  /** the process's gate for parsing uploaded files (IMPORT_*): the organisation file is read in a worker */
  uploads: IsolatedWork
}

const REGISTRY_WORKER = workerModule('registry-worker', import.meta.url)

const unitRoutes: FastifyPluginAsyncTypebox<UnitRoutesOptions> = async (app, options) => {
  app.post(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'Register a unit (instansi, OPD or unit kerja)',
        description:
          'Rules: code unique within the instansi (409 unit_code_taken), and an instansi’s code unique among instansi (409 instansi_code_taken); the parent must exist (422 parent_not_found), be active (422 parent_archived) and accept the kind (422 kind_parent_mismatch: instansi has no parent, an OPD sits under the instansi, a unit kerja under an OPD or another unit kerja); valid_to not before valid_from (422 invalid_validity); predecessor in the same instansi (422 predecessor_not_found).',
        operationId: 'createUnit',
        body: S.CreateUnitBody,
        response: { 201: S.UnitRef, ...problemResponses(400, 401, 403, 409, 422) },
      },
      config: ADMIN,
    },
    async (request, reply) => {
      const row = await createUnit(requestContext(request), request.body)
      return reply
        .code(201)
        .header('location', `/v1/units/${row.id}`)
        .header('etag', versionEtag(row))
        .send(toUnitView(row))
    },
  )

  app.post(
    '/import',
    {
      schema: {
        tags: TAGS,
        summary: 'Import an instansi’s whole organisation from a CSV or XLSX file (diff, then all or nothing)',
        description: `multipart/form-data: the file in the field \`file\` (at most ${REGISTRY_FILE_LIMITS.maxBytes} bytes, 413 file_too_large; ${REGISTRY_FILE_LIMITS.maxRows} rows, ${REGISTRY_FILE_LIMITS.maxColumns} columns, ${REGISTRY_FILE_LIMITS.maxCellLength} characters a cell, else 422 registry_file_too_large), and the fields dry_run and archive_missing ("true" or "false"). CSV in UTF-8 with commas or semicolons, or .xlsx (its first sheet). Header: kode, nama, jenis (instansi | opd | unit), kode_induk (empty on the instansi's row), optional afirmasi (ya | tidak; empty keeps the registered value), jenis_instansi (the instansi's row) and id_<system> columns (external ids, e.g. id_portalrb; an empty cell keeps the registered id). One row is the instansi; every other row's kode_induk is a code in the file. Units are matched by code within the instansi (the instansi by its code among instansi): a new code is a new unit, a different kode_induk moves the unit with its subtree, another name, afirmasi, jenis_instansi or external id changes it, an archived unit listed again is brought back; a registered unit the file does not list is reported as missing, and archived when archive_missing=true. A unit's kind cannot change (422 kind_changed). Every row is checked first: 422 registry_rows_invalid lists each problem in \`rows\` as {line, column, rule, message} (the header is line 1) and writes nothing. Then the changes are applied in one transaction, each as the single call would (one unit.created / unit.updated / unit.archived / unit.unarchived audit record per unit). The same file again changes nothing and leaves no trace. A dry run answers the same diff and writes nothing.`,
        operationId: 'importUnits',
        consumes: ['multipart/form-data'],
        body: S.RegistryImportForm,
        response: { 200: S.RegistryImportResult, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
      // The body is a stream read by the handler: no schema validation.
      validatorCompiler: () => () => true,
      config: { ...ADMIN, changesAccess: true },
    },
    async (request) => {
      const upload = await receiveRegistryUpload(request, REGISTRY_FILE_LIMITS.maxBytes)
      const result = await importRegistry(requestContext(request), {
        ...upload,
        read: (bytes) => parseInWorker<RegistryFileResult>(options.uploads, REGISTRY_WORKER, bytes),
      })
      return importView(result, upload.dryRun, upload.archiveMissing && !upload.dryRun)
    },
  )

  app.get(
    '/',
    {
      schema: {
        tags: TAGS,
        summary: 'List units in the caller’s scope',
        description:
          'Keyset pagination: pages neither repeat nor skip rows while others are written. For incremental sync use sort=updated_at with updated_since.',
        operationId: 'listUnits',
        querystring: S.UnitListQuery,
        response: { 200: S.UnitPage, ...problemResponses(400, 401, 403) },
      },
      config: READERS,
    },
    async (request, reply) => {
      return sendPage(
        request,
        reply,
        await listUnits(app.db, request.principal, request.query, request.query.limit ?? DEFAULT_LIMIT),
      )
    },
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Read a unit',
        operationId: 'getUnit',
        params: S.UnitIdParams,
        headers: S.IfNoneMatchHeaders,
        response: {
          200: S.UnitRef,
          304: Type.Null({ description: 'Not Modified: the If-None-Match ETag is current' }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
      config: READERS,
    },
    async (request, reply) => {
      const row = await loadVisibleUnit(app.db, request.principal, request.params.id)
      reply.header('etag', versionEtag(row))
      if (ifNoneMatchHits(request.headers['if-none-match'], versionEtag(row))) return reply.code(304).send(null)
      return toUnitView(row)
    },
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change a unit (only the fields sent)',
        description:
          'Send If-Match with the ETag you read to refuse lost updates (412 precondition_failed). Moving a unit (parent_id) moves its subtree; a move that would make a cycle is 422 parent_cycle; moving to another instansi is 422 parent_other_instansi.',
        operationId: 'updateUnit',
        params: S.UnitIdParams,
        headers: S.IfMatchHeaders,
        body: S.PatchUnitBody,
        response: { 200: S.UnitRef, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
      },
      config: { ...ADMIN, changesAccess: true },
    },
    async (request, reply) => {
      const row = await updateUnit(
        requestContext(request),
        { id: request.params.id, ifMatch: request.headers['if-match'] },
        request.body,
      )
      return reply.header('etag', versionEtag(row)).send(toUnitView(row))
    },
  )

  for (const [action, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    app.post(
      `/:id/${action}`,
      {
        schema: {
          tags: TAGS,
          summary: archived
            ? 'Archive a unit (it stays for history; refused while it has active children)'
            : 'Bring an archived unit back (refused while its parent is archived)',
          operationId: archived ? 'archiveUnit' : 'unarchiveUnit',
          params: S.UnitIdParams,
          headers: S.IfMatchHeaders,
          response: { 200: S.UnitRef, ...problemResponses(400, 401, 403, 404, 409, 412, 422) },
        },
        config: { ...ADMIN, changesAccess: true },
      },
      async (request, reply) => {
        const command = archived ? archiveUnit : unarchiveUnit
        const row = await command(requestContext(request), {
          id: request.params.id,
          ifMatch: request.headers['if-match'],
        })
        return reply.header('etag', versionEtag(row)).send(toUnitView(row))
      },
    )
  }

  app.delete(
    '/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a unit registered by mistake',
        description:
          'Refused with 409 unit_referenced once anything refers to the unit (children, successors, grants, assessments): archive it instead.',
        operationId: 'deleteUnit',
        params: S.UnitIdParams,
        headers: S.IfMatchHeaders,
        response: { 204: Type.Null({ description: 'deleted' }), ...problemResponses(400, 401, 403, 404, 409, 412) },
      },
      config: { ...ADMIN, changesAccess: true },
    },
    async (request, reply) => {
      await removeUnit(requestContext(request), { id: request.params.id, ifMatch: request.headers['if-match'] })
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/:id/tree',
    {
      schema: {
        tags: TAGS,
        summary: 'The subtree under a unit, nested',
        operationId: 'getUnitTree',
        params: S.UnitIdParams,
        querystring: S.TreeQuery,
        response: { 200: S.TreeResponse, ...problemResponses(400, 401, 403, 404) },
      },
      config: READERS,
    },
    async (request) => {
      const root = await loadVisibleUnit(app.db, request.principal, request.params.id)
      return subtree(app.db, root, {
        includeArchived: request.query.include_archived ?? false,
        maxDepth: request.query.max_depth,
      })
    },
  )
}

export default unitRoutes
