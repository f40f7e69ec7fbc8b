import { isHttpUrl } from '../evidence/rules.js'
import { type Message, msg } from '../../lib/i18n.js'

/**
 * What an evidence cell of a workbook names, line by line (plain functions, no database):
 * - an http(s) link to this service's own evidence download (…/v1/evidence/<id>/content, as the
 *   export writes a file's link) → that item;
 * - any other http(s) link → a link evidence item (an existing one of the unit with that URL, else
 *   a new one);
 * - anything else → the file name of an existing evidence item of the unit.
 * Several links on one line separated by spaces are split; a file name may hold spaces.
 */
export type EvidenceToken =
  | { kind: 'item'; id: string; text: string }
  | { kind: 'link'; url: string; text: string }
  | { kind: 'file'; name: string; text: string }
  | { kind: 'invalid'; text: string; message: Message | string }

const CONTENT_ROUTE = /\/v1\/evidence\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/content\/?$/i
const LOOKS_LIKE_URL = /^[a-z][a-z0-9+.-]*:\/\//i
export const MAX_EVIDENCE_TOKEN = 2000

export function parseEvidenceCell(text: string): EvidenceToken[] {
  const tokens: EvidenceToken[] = []
  for (const raw of text.split(/[\r\n]+/)) {
    const line = raw.trim()
    if (line === '') continue
    const words = line.split(/\s+/)
    const parts = words.length > 1 && words.every((w) => LOOKS_LIKE_URL.test(w)) ? words : [line]
    for (const part of parts) tokens.push(classify(part))
  }
  return tokens
}

function classify(text: string): EvidenceToken {
  if (text.length > MAX_EVIDENCE_TOKEN)
    return {
      kind: 'invalid',
      text,
      message: msg('workbook:field.rule_3', { MAX_EVIDENCE_TOKEN, textCount: text.length }),
    }
  if (LOOKS_LIKE_URL.test(text) || /^(javascript|data|file|mailto):/i.test(text)) {
    if (!isHttpUrl(text))
      return {
        kind: 'invalid',
        text,
        message: msg('workbook:field.rule_4', { text }),
      }
    const own = CONTENT_ROUTE.exec(new URL(text).pathname)
    if (own) return { kind: 'item', id: own[1]!.toLowerCase(), text }
    return { kind: 'link', url: text, text }
  }
  return { kind: 'file', name: text, text }
}

/** A title for a link item made from a workbook cell: the URL without its scheme, cut to the title's limit. */
export function linkTitle(url: string): string {
  const t = url.replace(/^https?:\/\//i, '')
  return t.length > 300 ? `${t.slice(0, 299)}…` : t
}
