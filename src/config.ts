import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { StringEnum } from './lib/schema.js'

/** Environment variables the service reads, validated once at start-up. */
export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  LOG_LEVEL: StringEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  DB_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 104857600, default: 1048576 }),
  TRUST_PROXY: Type.Boolean({ default: false }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 1200, description: 'requests per window per token (or per IP without one)' }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, default: 60000 }),
  BOOTSTRAP_ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 32 })),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
})
export type Config = Static<typeof ConfigSchema>

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`)
    this.name = 'ConfigError'
  }
}

const INTEGER_VARS = new Set(['PORT', 'DB_POOL_MAX', 'BODY_LIMIT_BYTES', 'RATE_LIMIT_MAX', 'RATE_LIMIT_WINDOW_MS'])
const BOOLEAN_VARS = new Set(['TRUST_PROXY'])

/**
 * Reads the configuration from an environment map. Empty strings count as unset so that
 * `FOO=` in a compose file does not turn into an invalid value. Throws ConfigError naming
 * the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value === undefined || value === '') continue
    if (INTEGER_VARS.has(key)) {
      if (!/^-?\d+$/.test(value)) throw new ConfigError(key, `must be an integer (got "${value}")`)
      raw[key] = Number(value)
    } else if (BOOLEAN_VARS.has(key)) {
      if (!['true', 'false', '1', '0'].includes(value)) {
        throw new ConfigError(key, `must be true or false (got "${value}")`)
      }
      raw[key] = value === 'true' || value === '1'
    } else {
      raw[key] = value
    }
  }
  const withDefaults = Value.Default(ConfigSchema, raw)
  const firstError = Value.Errors(ConfigSchema, withDefaults)[0]
  if (firstError) {
    const variable = firstError.instancePath.replace(/^\//, '') || 'environment'
    // Never echo a secret's value back in the message.
    throw new ConfigError(variable, firstError.message)
  }
  return withDefaults as Config
}
