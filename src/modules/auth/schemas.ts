import { Type } from 'typebox'
import { PageMeta, PageQuery } from '../../lib/pagination.js'
import { ROLES } from '../../lib/policy.js'
import { StringEnum } from '../../lib/schema.js'

export const RoleSchema = StringEnum(ROLES, { description: 'admin | evaluator | unit_operator | viewer | integration' })
const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])

export const Grant = Type.Object({
  id: Uuid,
  role: RoleSchema,
  unit_id: Type.Union([Uuid, Type.Null()], { description: 'the granted subtree; null = every unit' }),
  created_at: DateTime,
})

export const PrincipalView = Type.Object({
  id: Uuid,
  name: Type.String(),
  kind: Type.Union([Type.Literal('user'), Type.Literal('service')]),
  email: Nullable(Type.String()),
  created_at: DateTime,
  disabled_at: Nullable(DateTime),
  grants: Type.Array(Grant),
})

export const TokenView = Type.Object({
  id: Uuid,
  principal_id: Uuid,
  name: Type.String(),
  role: RoleSchema,
  prefix: Type.String({ description: 'the visible part of the token, to recognise it' }),
  created_at: DateTime,
  expires_at: Nullable(DateTime),
  last_used_at: Nullable(DateTime),
  revoked_at: Nullable(DateTime),
})

export const CreatedTokenView = Type.Object({
  ...TokenView.properties,
  token: Type.String({ description: 'the secret: shown once, store it now' }),
})

export const Me = Type.Object({
  principal_id: Uuid,
  name: Type.String(),
  role: RoleSchema,
  token_id: Uuid,
  scope: Type.Object({
    all_units: Type.Boolean(),
    unit_ids: Type.Array(Uuid, { description: 'roots of the subtrees in scope' }),
  }),
})

const Name = Type.String({ minLength: 1, maxLength: 200 })
const Email = Type.String({ format: 'email', maxLength: 320 })

export const CreatePrincipalBody = Type.Object(
  { name: Name, kind: Type.Union([Type.Literal('user'), Type.Literal('service')]), email: Type.Optional(Email) },
  { additionalProperties: false },
)
export const UpdatePrincipalBody = Type.Object(
  { name: Type.Optional(Name), email: Type.Optional(Nullable(Email)), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
)
export const CreateGrantBody = Type.Object(
  { role: RoleSchema, unit_id: Type.Optional(Type.Union([Uuid, Type.Null()])) },
  { additionalProperties: false },
)
export const CreateTokenBody = Type.Object(
  { name: Name, role: RoleSchema, expires_at: Type.Optional(DateTime) },
  { additionalProperties: false },
)
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const GrantParams = Type.Object({ id: Uuid, grant_id: Uuid }, { additionalProperties: false })
export const PrincipalListQuery = Type.Object(
  { ...PageQuery, q: Type.Optional(Type.String({ maxLength: 200 })), role: Type.Optional(RoleSchema) },
  { additionalProperties: false },
)
export const PrincipalPage = Type.Object({ items: Type.Array(PrincipalView), ...PageMeta })
export const TokenList = Type.Object({ items: Type.Array(TokenView) })
