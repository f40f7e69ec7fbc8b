/**
 * The languages `zi` speaks to people (Indonesian and English), with i18next over the catalogues
 * in ./messages/. The language is chosen once per run (`chooseLanguage`: --lang, ZI_LANG, the
 * locale, else Indonesian) and set with `useLanguage`; every message a person reads comes from
 * `t('namespace:key', params)`. The same language goes to the server as Accept-Language, so its
 * problems come back in it too. Machine output (JSON, TSV data, exit codes) is never translated.
 */
import i18next, { type TFunction } from 'i18next'
import { catalogues } from './messages/index.js'

export const LANGUAGES = ['id', 'en'] as const
export type Language = (typeof LANGUAGES)[number]

type Env = Record<string, string | undefined>

const instance = i18next.createInstance()
void instance.init({
  initAsync: false,
  resources: Object.fromEntries(
    LANGUAGES.map((language) => [
      language,
      Object.fromEntries(Object.entries(catalogues).map(([ns, catalogue]) => [ns, catalogue[language]])),
    ]),
  ),
  lng: 'id',
  fallbackLng: false,
  ns: Object.keys(catalogues),
  defaultNS: 'cli',
  // Terminal text, never HTML.
  interpolation: { escapeValue: false },
  returnNull: false,
})

const translators = new Map<Language, TFunction>(LANGUAGES.map((l) => [l, instance.getFixedT(l)]))
let current: Language = 'id'

/** The language of every message from now on (the CLI runs one command per process). */
export function useLanguage(language: Language): void {
  current = language
}

export const currentLanguage = (): Language => current

/** A message of the catalogue (`namespace:key`), in the current language. */
export function t(key: string, params?: Record<string, unknown>): string {
  return String((translators.get(current) as TFunction)(key, params ?? {}))
}

/** Whether a catalogue has the key in that language (plural keys: the base key). */
export const hasMessage = (key: string, language: Language): boolean => instance.exists(key, { lng: language })

/** `id`, `id-ID`, `id_ID.UTF-8`, `in` → id; `en`, `en_GB.UTF-8` → en; anything else undefined. */
export function languageOf(tag: string | undefined): Language | undefined {
  const primary = (tag ?? '')
    .trim()
    .toLowerCase()
    .split(/[-_.@]/)[0]
  if (primary === 'id' || primary === 'in') return 'id'
  if (primary === 'en') return 'en'
  return undefined
}

/**
 * The language of a run: `--lang id|en`, else ZI_LANG, else the locale (the first of LC_ALL,
 * LC_MESSAGES, LANG that is set, as POSIX reads them), else Indonesian. A --lang or ZI_LANG we
 * do not speak is an error (returned as `invalid`, for a usage message in the language the
 * remaining sources choose); a locale we do not speak (C, fr_FR) means Indonesian.
 */
export function chooseLanguage(flag: string | undefined, env: Env): { language: Language; invalid?: string } {
  let invalid: string | undefined
  for (const [explicit, name] of [
    [flag, '--lang'],
    [env.ZI_LANG, 'ZI_LANG'],
  ] as const) {
    if (explicit === undefined || explicit === '') continue
    const language = languageOf(explicit)
    if (language) return invalid ? { language, invalid } : { language }
    invalid ??= `${name}=${explicit}`
  }
  const language = languageOf(env.LC_ALL || env.LC_MESSAGES || env.LANG) ?? 'id'
  return invalid ? { language, invalid } : { language }
}

/** Takes `--lang <l>` / `--lang=<l>` out of the arguments, wherever it is. */
export function extractLangOption(argv: string[]): { args: string[]; lang: string | undefined } {
  const args: string[] = []
  let lang: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--') {
      args.push(...argv.slice(i))
      break
    }
    if (arg === '--lang') {
      lang = argv[i + 1] ?? ''
      i++
    } else if (arg.startsWith('--lang=')) lang = arg.slice('--lang='.length)
    else args.push(arg)
  }
  return { args, lang }
}

/** The headers of a table for people, each a catalogue key (`cli:col.<word>`). */
export const headers = (...keys: string[]): string[] => keys.map((key) => t(key))
