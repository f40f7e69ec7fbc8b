import { Type, type Static } from 'typebox'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { StringEnum } from '../../lib/schema.js'
import { DELIVERIES, NOTICE_KINDS, NOTICE_STATUSES } from './rules.js'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })

export const NoticeKind = StringEnum(NOTICE_KINDS, { description: NOTICE_KINDS.join(' | ') })
export const NoticeStatus = StringEnum(NOTICE_STATUSES, {
  description:
    'pending (waiting to be sent, or to be retried, or for the digest hour) | sent | failed (every attempt failed) | skipped (no e-mail address, disabled, unsubscribed)',
})

const kindFlags = (description: string) =>
  Object.fromEntries(NOTICE_KINDS.map((k) => [k, Type.Boolean({ description })])) as Record<
    (typeof NOTICE_KINDS)[number],
    ReturnType<typeof Type.Boolean>
  >

export const PreferencesView = Type.Object({
  principal_id: Uuid,
  email: Type.Union([Type.String(), Type.Null()], {
    description: 'where notices go; set by an admin (PATCH /v1/principals/{id}); null: no mail',
  }),
  language: StringEnum(['id', 'en'] as const, { description: 'the language of the mails' }),
  delivery: StringEnum(DELIVERIES, {
    description: 'immediate: one mail per notice; digest: one mail a day at the digest hour (Asia/Jakarta)',
  }),
  digest_hour: Type.Integer({ description: 'the hour (Asia/Jakarta) of the daily digest (NOTIFY_DIGEST_HOUR)' }),
  kinds: Type.Object(kindFlags('true: mailed; false: unsubscribed'), { additionalProperties: false }),
  notices_enabled: Type.Boolean({ description: 'false when the server has no SMTP settings: nothing is mailed' }),
})
export type PreferencesView = Static<typeof PreferencesView>

export const PreferencesPatch = Type.Object(
  {
    language: Type.Optional(StringEnum(['id', 'en'] as const)),
    delivery: Type.Optional(StringEnum(DELIVERIES)),
    kinds: Type.Optional(
      Type.Partial(
        Type.Object(kindFlags('false unsubscribes, true subscribes again'), { additionalProperties: false }),
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PreferencesPatch = Static<typeof PreferencesPatch>

export const UnsubscribeQuery = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 400, description: 'the token of the unsubscribe link' }) },
  { additionalProperties: false },
)
export const UnsubscribeResult = Type.Object({
  unsubscribed: Type.Literal(true),
  kind: Type.String({ description: 'the kind no longer mailed, or * for every kind' }),
  message: Type.String(),
})

export const NoticeListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(NoticeStatus),
    kind: Type.Optional(NoticeKind),
    recipient_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)

export const NoticeView = Type.Object({
  id: Uuid,
  kind: Type.String(),
  recipient: Type.Object({ id: Uuid, name: Type.String(), email: Type.Union([Type.String(), Type.Null()]) }),
  subject: Type.Object({ type: Type.String(), id: Type.String() }),
  occasion: Type.String({ description: 'the change-feed event id, or the reminder: opened, 7d, 3d, 1d' }),
  event_id: Type.Union([Type.String(), Type.Null()]),
  unit_id: Type.Union([Uuid, Type.Null()]),
  period_id: Type.Union([Uuid, Type.Null()]),
  link: Type.Union([Type.String(), Type.Null()]),
  digest: Type.Boolean({ description: 'sent in the daily digest' }),
  status: NoticeStatus,
  attempts: Type.Integer(),
  next_attempt_at: Type.Union([DateTime, Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  sent_at: Type.Union([DateTime, Type.Null()]),
  created_at: DateTime,
  log: Type.Array(
    Type.Object({
      attempt: Type.Integer(),
      at: DateTime,
      error: Type.Union([Type.String(), Type.Null()]),
      message_id: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
})
export const NoticePage = Type.Object({ items: Type.Array(NoticeView), ...PageMeta })
