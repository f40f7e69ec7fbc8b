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
  RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 1200,
    description: 'requests per window per token (or per IP without one)',
  }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, default: 60000 }),
  REDIS_URL: Type.Optional(
    Type.String({
      pattern: '^rediss?://',
      description:
        "Redis for rate-limit counters shared by every replica (docs/rate-limits.md); unset: counted in this process's memory",
    }),
  ),
  RATE_LIMIT_REDIS_PREFIX: Type.String({
    minLength: 1,
    maxLength: 100,
    default: 'zi-rate-limit:',
    description: 'prefix of the rate-limit keys in Redis',
  }),
  AUTH_CACHE_TTL_MS: Type.Integer({
    minimum: 0,
    maximum: 600000,
    default: 30000,
    description: 'safety lifetime of a cached verified token; 0 turns the cache off (a query per request)',
  }),
  AUTH_CACHE_MAX: Type.Integer({
    minimum: 1,
    maximum: 1000000,
    default: 10000,
    description: 'verified tokens cached per process (least recently used dropped first)',
  }),
  TOKEN_USAGE_FLUSH_MS: Type.Integer({
    minimum: 100,
    maximum: 60000,
    default: 30000,
    description: "how often the tokens' last_used_at are written (and on shutdown)",
  }),
  BOOTSTRAP_ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 32 })),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  EVIDENCE_MAX_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 2147483648,
    default: 20971520,
    description: 'largest evidence file accepted (413 above)',
  }),
  IDEMPOTENCY_TTL_HOURS: Type.Integer({
    minimum: 1,
    maximum: 720,
    default: 24,
    description: 'how long an Idempotency-Key and its response are kept',
  }),
  WORKBOOK_MAX_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 104857600,
    default: 5242880,
    description: 'largest LKE workbook (.xlsx) accepted for import (413 above)',
  }),
  IMPORT_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 2,
    description: 'uploaded files (workbooks, master soal) parsed at once per process, each in a worker thread',
  }),
  IMPORT_QUEUE: Type.Integer({
    minimum: 0,
    maximum: 1000,
    default: 8,
    description: 'imports waiting for a parse slot beyond IMPORT_CONCURRENCY; more are answered 503 uploads_busy',
  }),
  IMPORT_TIMEOUT_MS: Type.Integer({
    minimum: 1000,
    maximum: 600000,
    default: 28000,
    description:
      'deadline of one import: at most half of it waiting for a parse slot (then 503 uploads_busy), the other half parsing (then the worker is stopped, 503 import_timeout); keep it under the 30 s connection idle timeout',
  }),
  IMPORT_WORKER_MEMORY_MB: Type.Integer({
    minimum: 32,
    maximum: 4096,
    default: 128,
    description:
      "heap (old generation) of one parse worker; a file that needs more fails that import alone, 422 workbook_too_large bound 'memory'",
  }),
  CORS_ORIGINS: Type.Optional(
    Type.String({
      pattern: '^\\s*https?://[^/,\\s]+/?\\s*(,\\s*https?://[^/,\\s]+/?\\s*)*,?\\s*$',
      description: 'comma-separated exact origins allowed to call the API from a browser; empty: no CORS',
    }),
  ),
  PORTALRB_BASE_PATH: Type.String({
    // not under the API's own prefixes, no "." or ".." segments
    pattern: '^(?!/(v1|health|docs|openapi\\.json)(/|$))(?!.*/\\.{1,2}(/|$))(/[A-Za-z0-9._~-]+)+$',
    default: '/portalrb',
    description:
      'where the PortalRB endpoints are served (outside /v1, /health, /docs): one or more path segments, no trailing slash',
  }),
  WEBHOOK_SECRET_KEY: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9+/_-]{43}=?$',
      description: 'base64 of 32 random bytes (openssl rand -base64 32): seals webhook signing secrets at rest',
    }),
  ),
  KEYS_IN_DATA_DIR: Type.Optional(
    Type.Boolean({
      description:
        'when WEBHOOK_SECRET_KEY or EVIDENCE_LINK_KEY is unset, generate it once into DATA_DIR (mode 0600) and reuse it; unset: on with the embedded database, off with DATABASE_URL (every replica must share the keys: one DATA_DIR volume, or set them)',
    }),
  ),
  WEBHOOK_WORKER: Type.Boolean({ default: true, description: 'run the webhook delivery worker in this process' }),
  PLAN_WORKER: Type.Boolean({
    default: true,
    description:
      'run the plan worker in this process: fills in the dashboards’ plan counts (closest-by-changes) of quiet stages',
  }),
  EVENTS_PURGE_WORKER: Type.Boolean({
    default: true,
    description: 'run the hourly change-feed purge (EVENTS_RETENTION_DAYS) in this process',
  }),
  WEBHOOK_ALLOW_HOSTS: Type.String({
    default: '',
    description: 'comma-separated hosts exempt from the SSRF guard (and allowed over http), for tests',
  }),
  WEBHOOK_POLL_MS: Type.Integer({
    minimum: 10,
    maximum: 600000,
    default: 1000,
    description: 'how often the worker looks for due deliveries',
  }),
  WEBHOOK_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 30,
    default: 8,
    description: 'attempts per delivery before it is marked failed',
  }),
  WEBHOOK_RETRY_BASE_MS: Type.Integer({
    minimum: 10,
    maximum: 3600000,
    default: 30000,
    description: 'first retry delay; doubles on every further attempt',
  }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 60000,
    default: 10000,
    description: 'how long a receiver has to answer',
  }),
  EVENTS_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    maximum: 36500,
    default: 400,
    description:
      'change-feed events older than this many days are purged (hourly, by one replica); 0 keeps them forever. A cursor older than the purge is answered 410 cursor_expired',
  }),
  BENCH_ROUTES: Type.Boolean({
    default: false,
    description:
      'serve the benchmark ceiling routes /v1/bench/constant and /v1/bench/select-1 (npm run bench); never in production',
  }),
  EVIDENCE_STORE: StringEnum(['fs', 's3'], {
    default: 'fs',
    description: 'where evidence files live: fs (DATA_DIR/evidence) or s3 (any S3-compatible object store, S3_* below)',
  }),
  S3_ENDPOINT: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'the S3 API URL (MinIO, Ceph RGW, a provider); unset: AWS for S3_REGION',
    }),
  ),
  S3_BUCKET: Type.Optional(
    Type.String({
      minLength: 3,
      maxLength: 63,
      pattern: '^[a-z0-9][a-z0-9.-]+[a-z0-9]$',
      description: 'the bucket holding evidence (required with EVIDENCE_STORE=s3)',
    }),
  ),
  S3_REGION: Type.String({ minLength: 1, default: 'us-east-1', description: 'the bucket region (MinIO accepts any)' }),
  S3_ACCESS_KEY_ID: Type.Optional(
    Type.String({ minLength: 1, description: 'unset: the AWS SDK default chain (environment, instance role)' }),
  ),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  S3_FORCE_PATH_STYLE: Type.Boolean({
    default: true,
    description: 'bucket in the path (MinIO, Ceph) rather than in the host name',
  }),
  S3_PREFIX: Type.String({
    pattern: '^$|^[A-Za-z0-9!_.*()-]+(/[A-Za-z0-9!_.*()-]+)*/$',
    default: '',
    description: 'key prefix inside the bucket, ending in /',
  }),
  S3_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600000,
    default: 30000,
    description: 'one S3 request longer than this counts as the store being down (503)',
  }),
  EVIDENCE_LINK_KEY: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9+/_-]{43}=?$',
      description:
        'base64 of 32 random bytes: signs expiring evidence links (generated into DATA_DIR on the embedded database; without it on PostgreSQL links need a token)',
    }),
  ),
  EVIDENCE_LINK_TTL_DAYS: Type.Integer({
    minimum: 1,
    maximum: 3650,
    default: 120,
    description: 'how long a signed evidence link stays valid (at least this many days, rounded up to a UTC midnight)',
  }),
  METRICS_ENABLED: Type.Boolean({
    // Off unless asked for: a second instance on the same host must start without a port clash.
    default: false,
    description:
      'serve Prometheus metrics at /metrics on METRICS_HOST:METRICS_PORT; a busy port then stops start-up (exit 78)',
  }),
  METRICS_PORT: Type.Integer({
    minimum: 1,
    maximum: 65535,
    default: 9464,
    description: 'the separate port of /metrics',
  }),
  METRICS_HOST: Type.String({
    minLength: 1,
    default: '127.0.0.1',
    description:
      'where /metrics listens; loopback by default (0.0.0.0 only behind a network that only the scraper reaches)',
  }),
  LOG_FORMAT: StringEnum(['auto', 'json', 'pretty'], {
    default: 'auto',
    description: 'auto: pretty on a terminal, JSON otherwise',
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'OTLP/HTTP collector base URL: when set, traces of requests and queries are exported',
    }),
  ),
  OTEL_SERVICE_NAME: Type.String({
    minLength: 1,
    default: 'zi-tracker',
    description: 'service.name of exported traces',
  }),
  SURVEY_SUBMIT_MAX: Type.Integer({
    minimum: 1,
    maximum: 100000,
    default: 20,
    description:
      'survey responses one address may send to one campaign per SURVEY_SUBMIT_WINDOW_MS (a kiosk or a shared network sends several)',
  }),
  SURVEY_SUBMIT_WINDOW_MS: Type.Integer({ minimum: 1000, maximum: 86400000, default: 900000 }),
  SMTP_URL: Type.Optional(
    Type.String({
      pattern: '^smtps?://',
      description:
        'the SMTP server of notice mails as one URL (smtp://user:pass@host:587, smtps:// for TLS from the start); or SMTP_HOST and the settings below. Unset (and no SMTP_HOST): no notices are made or sent (docs/notifications.md)',
    }),
  ),
  SMTP_HOST: Type.Optional(Type.String({ minLength: 1, description: 'the SMTP server, when SMTP_URL is not set' })),
  SMTP_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 587, description: 'with SMTP_HOST' }),
  SMTP_SECURE: Type.Boolean({
    default: false,
    description: 'with SMTP_HOST: TLS from the start (port 465); false: STARTTLS when the server offers it',
  }),
  SMTP_USER: Type.Optional(Type.String({ minLength: 1, description: 'with SMTP_HOST, when the server wants a login' })),
  SMTP_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  SMTP_FROM: Type.String({
    minLength: 3,
    default: 'ZI Tracker <no-reply@localhost>',
    description: 'the From of notice mails',
  }),
  NOTIFY_WORKER: Type.Optional(
    Type.Boolean({
      description:
        'run the notice worker in this process (notices from the change feed, reminders before windows close, mail delivery); unset: on when SMTP is configured',
    }),
  ),
  NOTIFY_POLL_MS: Type.Integer({
    minimum: 10,
    maximum: 3600000,
    default: 30000,
    description: 'how often the notice worker reads the feed, checks the windows and sends what is due',
  }),
  NOTIFY_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 30,
    default: 8,
    description: 'attempts per notice mail before it is marked failed',
  }),
  NOTIFY_RETRY_BASE_MS: Type.Integer({
    minimum: 10,
    maximum: 3600000,
    default: 60000,
    description: 'first retry delay of a notice mail; doubles on every further attempt (at most 6 hours)',
  }),
  NOTIFY_DIGEST_HOUR: Type.Integer({
    minimum: 0,
    maximum: 23,
    default: 7,
    description: 'the hour (Asia/Jakarta) the daily digest is sent to the people who chose it',
  }),
  DEFAULT_LANGUAGE: StringEnum(['id', 'en'], {
    default: 'id',
    description: 'the language of messages when a request sends no Accept-Language we speak (id: Bahasa Indonesia)',
  }),
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

const INTEGER_VARS = new Set([
  'PORT',
  'DB_POOL_MAX',
  'BODY_LIMIT_BYTES',
  'RATE_LIMIT_MAX',
  'RATE_LIMIT_WINDOW_MS',
  'AUTH_CACHE_TTL_MS',
  'AUTH_CACHE_MAX',
  'TOKEN_USAGE_FLUSH_MS',
  'EVIDENCE_MAX_BYTES',
  'IDEMPOTENCY_TTL_HOURS',
  'WORKBOOK_MAX_BYTES',
  'IMPORT_CONCURRENCY',
  'IMPORT_QUEUE',
  'IMPORT_TIMEOUT_MS',
  'IMPORT_WORKER_MEMORY_MB',
  'WEBHOOK_POLL_MS',
  'WEBHOOK_MAX_ATTEMPTS',
  'WEBHOOK_RETRY_BASE_MS',
  'WEBHOOK_TIMEOUT_MS',
  'EVENTS_RETENTION_DAYS',
  'S3_TIMEOUT_MS',
  'EVIDENCE_LINK_TTL_DAYS',
  'METRICS_PORT',
  'SURVEY_SUBMIT_MAX',
  'SURVEY_SUBMIT_WINDOW_MS',
  'SMTP_PORT',
  'NOTIFY_POLL_MS',
  'NOTIFY_MAX_ATTEMPTS',
  'NOTIFY_RETRY_BASE_MS',
  'NOTIFY_DIGEST_HOUR',
])
const BOOLEAN_VARS = new Set([
  'TRUST_PROXY',
  'WEBHOOK_WORKER',
  'PLAN_WORKER',
  'EVENTS_PURGE_WORKER',
  'BENCH_ROUTES',
  'S3_FORCE_PATH_STYLE',
  'METRICS_ENABLED',
  'KEYS_IN_DATA_DIR',
  'SMTP_SECURE',
  'NOTIFY_WORKER',
])

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
