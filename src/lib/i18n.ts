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
    has: (key, language) => instance.exists(key, { lng: language }),
  }
}

// A parameter may itself be a message (a rule's reason inside a refusal): render it first.
function renderParams(
  params: Readonly<Record<string, unknown>> | undefined,
  render: (m: Message | string) => string,
): Record<string, unknown> | undefined {
  if (!params) return undefined
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(params)) out[name] = isMessage(value) ? render(value) : value
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
