import { Type } from 'typebox'
import { StringEnum } from '../../lib/schema.js'
import { EVENT_TYPES } from './rules.js'

const Uuid = Type.String({ format: 'uuid' })

export const EventType = StringEnum(EVENT_TYPES, { description: EVENT_TYPES.join(' | ') })

export const FeedQuery = Type.Object(
  {
    after: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,18}$',
        description: 'the next_cursor of the previous page (omit or 0 to start from the beginning)',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    type: Type.Optional(
      Type.Array(EventType, {
        maxItems: EVENT_TYPES.length,
        description: 'only these types (repeat: type=stage.submitted&type=stage.approved)',
      }),
    ),
  },
  { additionalProperties: false },
)

export const EventView = Type.Object({
  id: Type.String({ description: 'the event’s position in the feed (increasing); pass the last one as after' }),
  type: EventType,
  occurred_at: Type.String({ format: 'date-time' }),
  unit_id: Type.Union([Uuid, Type.Null()]),
  period_id: Type.Union([Uuid, Type.Null()]),
  assessment_id: Type.Union([Uuid, Type.Null()]),
  subject: Type.Object({
    type: Type.String({ description: 'assessment | assessment_stage | declaration' }),
    id: Type.String(),
  }),
  data: Type.Record(Type.String(), Type.Unknown(), {
    description: 'the event’s details (see the README for each type)',
  }),
})

export const FeedPage = Type.Object({
  items: Type.Array(EventView),
  next_cursor: Type.String({
    description: 'pass as after for the next page; also when the page is empty, to poll for newer events',
  }),
  has_more: Type.Boolean({ description: 'true when more events are already available after next_cursor' }),
})
