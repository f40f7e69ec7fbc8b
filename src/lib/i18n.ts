import i18next, { type i18n } from 'i18next'
import { catalogues } from '../messages/index.js'

/**
 * Messages people read, in Indonesian and English (i18next, catalogues in src/messages/). Code
 * builds a `Message` (a catalogue key and its parameters) and the edge renders it in the
 * language the request asked for (Accept-Language), so a command never needs to know who reads.
 */
export const LANGUAGES = ['id', 'en'] as const
export type Language = (typeof LANGUAGES)[number]

export interface Message {
  readonly key: string
  readonly params?: Readonly<Record<string, unknown>>
}

/** A message: a catalogue key `namespace:path.to.key` (namespace = the catalogue's file name) and its parameters. */
export const msg = (key: string, params?: Record<string, unknown>): Message => (params ? { key, params } : { key })

export const isMessage = (value: unknown): value is Message =>
  typeof value === 'object' && value !== null && typeof (value as { key?: unknown }).key === 'string'

export interface Translator {
  readonly language: Language
  /** Renders a message (a plain string is returned as it is). */
  (message: Message | string): string
}

/** One i18next instance per app (no module-level singleton); rendering is synchronous. */
export interface Messages {
  /** The language when a request names none we speak (DEFAULT_LANGUAGE). */
  readonly defaultLanguage: Language
  translator(language: Language): Translator
  /** Whether the catalogue has the key in that language. */
  has(key: string, language: Language): boolean
}

export function createMessages(defaultLanguage: Language = 'id'): Messages {
  const instance: i18n = i18next.createInstance()
  void instance.init({
    initAsync: false,
    resources: resourcesOf(),
    lng: 'id',
    fallbackLng: false,
    ns: Object.keys(catalogues),
    defaultNS: 'common',
    // Replies are JSON or plain text; HTML pages escape at their own edge.
    interpolation: { escapeValue: false },
    returnNull: false,
  })
  const fixed = new Map<Language, ReturnType<i18n['getFixedT']>>()
  for (const language of LANGUAGES) fixed.set(language, instance.getFixedT(language))
  return {
    defaultLanguage,
    translator(language) {
      const t = fixed.get(language) as ReturnType<i18n['getFixedT']>
      const render = (message: Message | string): string =>
        typeof message === 'string' ? message : String(t(message.key, renderParams(message.params, render) ?? {}))
      return Object.assign(render, { language })
    },
    // A key with plural forms (`key_one`, `key_other`, chosen by the `count` parameter) exists by its `_other`.
    has: (key, language) =>
      instance.exists(key, { lng: language }) || instance.exists(`${key}_other`, { lng: language }),
  }
}

let english: Translator | undefined
/**
 * A message in English, for texts no request reads: an error's `message` (logs, stack traces),
 * the webhook delivery log. One lazily created instance, outside any app.
 */
export const englishText = (message: Message | string): string =>
  (english ??= createMessages('en').translator('en'))(message)

// A parameter may itself be a message (a rule's reason inside a refusal): render it first.
function renderParams(
  params: Readonly<Record<string, unknown>> | undefined,
  render: (m: Message | string) => string,
): Record<string, unknown> | undefined {
  if (!params) return undefined
  const out: Record<string, unknown> = {}
  // A list (field errors in a summary) is rendered item by item and joined.
  for (const [name, value] of Object.entries(params))
    out[name] = isMessage(value)
      ? render(value)
      : Array.isArray(value)
        ? value.map((item) => (isMessage(item) ? render(item) : String(item))).join('; ')
        : value
  return out
}

function resourcesOf(): Record<Language, Record<string, Record<string, unknown>>> {
  const resources = { id: {}, en: {} } as Record<Language, Record<string, Record<string, unknown>>>
  for (const [namespace, catalogue] of Object.entries(catalogues)) {
    resources.id[namespace] = catalogue.id
    resources.en[namespace] = catalogue.en
  }
  return resources
}

/** `T` with every Message in it replaced by its text (what `renderAll` returns). */
export type Rendered<T> = T extends Message
  ? string
  : T extends string | number | boolean | bigint | null | undefined | Date
    ? T
    : T extends readonly (infer U)[]
      ? Rendered<U>[]
      : T extends object
        ? { [K in keyof T]: Rendered<T[K]> }
        : T

const isBareMessage = (v: unknown): v is Message =>
  isMessage(v) && Object.keys(v).every((k) => k === 'key' || k === 'params')

/** Whether a value (a reply body) holds a Message anywhere in its plain objects and arrays. */
export function containsMessage(value: unknown, depth = 0): boolean {
  if (depth > 64) return false
  if (isBareMessage(value)) return true
  if (Array.isArray(value)) return value.some((v) => containsMessage(v, depth + 1))
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.values(value).some((v) => containsMessage(v, depth + 1))
  return false
}

/**
 * Replaces every Message inside a value (a reply body, a problem's extension members: checks,
 * field errors, rows) by its text; plain objects and arrays are copied, anything else is kept.
 */
export function renderAll<T>(value: T, t: (message: Message | string) => string): Rendered<T> {
  const walk = (v: unknown): unknown => {
    if (isBareMessage(v)) return t(v)
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item)]))
    return v
  }
  return walk(value) as Rendered<T>
}

/**
 * The language of a reply from an Accept-Language header (RFC 9110 §12.5.4: tags with q-values;
 * `id`, `id-ID`, `in` are Indonesian, `en-*` English); `fallback` when nothing listed is spoken here.
 */
export function negotiateLanguage(header: string | undefined, fallback: Language): Language {
  if (!header) return fallback
  let best: { language: Language; q: number } | undefined
  for (const part of header.slice(0, 512).split(',')) {
    const [rawTag, ...attributes] = part.trim().split(';')
    const tag = (rawTag ?? '').trim().toLowerCase()
    const qAttribute = attributes.map((a) => a.trim()).find((a) => a.startsWith('q='))
    const q = qAttribute ? Number(qAttribute.slice(2)) : 1
    if (!Number.isFinite(q) || q <= 0) continue
    const primary = tag.split('-')[0]
    const language: Language | undefined =
      primary === 'id' || primary === 'in' ? 'id' : primary === 'en' ? 'en' : tag === '*' ? fallback : undefined
    if (language && (!best || q > best.q)) best = { language, q }
  }
  return best?.language ?? fallback
}
