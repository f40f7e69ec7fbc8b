import type { FastifyRequest } from 'fastify'
import type { Db, Tx } from '../db/connection.js'
import type { Principal } from './principal.js'
import {
  actorFromRequest,
  appendAudit,
  systemActor,
  type AuditActor,
  type AuditInput,
} from '../modules/audit/service.js'
import { emitEvent, type EventInput } from '../modules/events/service.js'

/**
 * Who runs a write and against what. Every write use case is a command: one exported async
 * function `(ctx: CommandContext, input) => result` in its module's `commands.ts` that owns its
 * transaction (`ctx.db.transaction`), takes its locks in order, mutates, records the audit
 * (`audit`) and emits the event (`event`). Routes, the workbook import, PortalRB, the CLI and the
 * workers all build a context and call the same command; see docs/contributing.md.
 */
export interface CommandContext {
  readonly db: Db
  /** The caller, for scope checks; the system's own principal for the CLI and workers. */
  readonly principal: Principal
  /** Who the audit chain names. */
  readonly actor: AuditActor
  /** Carried into events and audit rows so a write can be traced back to its request. */
  readonly requestId: string | null
}

/** The context of an HTTP request (the route's only job is to build it and call the command). */
export function requestContext(request: FastifyRequest): CommandContext {
  return {
    db: request.server.db,
    principal: request.principal,
    actor: actorFromRequest(request),
    requestId: request.id,
  }
}

/**
 * The system acting on its own (the CLI, a worker, an upgrade step): every unit in scope, named in
 * the audit chain as `name` with role `system`.
 */
export function systemContext(db: Db, name: string): CommandContext {
  return {
    db,
    principal: {
      tokenId: 'system',
      // No principal row: columns that name who did it (updated_by, created_by …) stay null.
      principalId: null,
      name,
      role: 'admin',
      scopeAll: true,
      scopePaths: [],
    },
    actor: systemActor(name),
    requestId: null,
  }
}

/** Appends the command's audit record inside its transaction. */
export const audit = (tx: Tx, ctx: CommandContext, input: AuditInput): Promise<void> =>
  appendAudit(tx, ctx.actor, input)

/** Emits the command's event (and queues its webhook deliveries) inside its transaction. */
export const event = (tx: Tx, ctx: CommandContext, input: Omit<EventInput, 'requestId'>): Promise<number> =>
  emitEvent(tx, { ...input, requestId: ctx.requestId })
