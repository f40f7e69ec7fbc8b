import { Type } from 'typebox'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { StringEnum } from '../../lib/schema.js'
import { EventType } from '../events/schemas.js'
import { DELIVERY_STATUSES } from './tables.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const Url = Type.String({
  minLength: 8,
  maxLength: 2048,
  description: 'https only; the host must resolve to public addresses (SSRF guard)',
})
const Description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()])
const EventTypes = Type.Array(EventType, {
  maxItems: 20,
  uniqueItems: true,
  description: 'deliver only these event types; empty or absent: every type',
})

export const WebhookParams = Type.Object({ id: Uuid }, { additionalProperties: false })

export const CreateWebhookBody = Type.Object(
  {
    url: Url,
    description: Type.Optional(Description),
    event_types: Type.Optional(EventTypes),
    unit_id: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'only events of this unit’s subtree' })),
    active: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
)

export const PatchWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    description: Type.Optional(Description),
    event_types: Type.Optional(EventTypes),
    unit_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
    active: Type.Optional(Type.Boolean({ description: 'false pauses: no deliveries are queued, pending ones wait' })),
  },
  { additionalProperties: false, minProperties: 1 },
)

const WebhookFields = {
  id: Uuid,
  url: Type.String(),
  description: Description,
  event_types: Type.Array(Type.String()),
  unit_id: Type.Union([Uuid, Type.Null()]),
  active: Type.Boolean(),
  created_at: DateTime,
  updated_at: DateTime,
  version: Type.Integer({ description: 'the ETag is "<version>"' }),
}

export const WebhookView = Type.Object(WebhookFields)
export const WebhookWithSecret = Type.Object({
  ...WebhookFields,
  secret: Type.String({ description: 'whsec_…: the signing secret, shown this once (Standard Webhooks)' }),
})

export const WebhookListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })
export const WebhookPage = Type.Object({ items: Type.Array(WebhookView), ...PageMeta })

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'the ETag you read; 412 when it changed since' })),
})

export const DeliveryListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(StringEnum(DELIVERY_STATUSES, { description: 'pending | delivered | failed' })),
  },
  { additionalProperties: false },
)

export const DeliveryPage = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String({ description: 'also the webhook-id header (the same on every retry)' }),
      event_id: Type.String({ description: 'the event’s feed position' }),
      event_type: Type.String(),
      status: StringEnum(DELIVERY_STATUSES),
      attempts: Type.Integer(),
      next_attempt_at: Type.Union([DateTime, Type.Null()]),
      last_status_code: Type.Union([Type.Integer(), Type.Null()]),
      last_error: Type.Union([Type.String(), Type.Null()]),
      delivered_at: Type.Union([DateTime, Type.Null()]),
      created_at: DateTime,
      log: Type.Array(
        Type.Object({
          attempt: Type.Integer(),
          started_at: DateTime,
          duration_ms: Type.Integer(),
          status_code: Type.Union([Type.Integer(), Type.Null()]),
          error: Type.Union([Type.String(), Type.Null()]),
          response_excerpt: Type.Union([Type.String(), Type.Null()]),
        }),
      ),
    }),
  ),
  ...PageMeta,
})
