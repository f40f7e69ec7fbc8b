import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Signed, expiring links to one evidence file: an HMAC-SHA256 (EVIDENCE_LINK_KEY) over the item
 * id and the expiry. Whoever holds the link can download that one file until it expires, with no
 * token; a changed id or expiry fails the check. Expiries are rounded up to a UTC midnight so a
 * link (and a body that lists it, with its ETag) stays the same all day.
 */
const DAY_SECONDS = 86_400

export const signedContentPath = (evidenceId: string): string => `/v1/evidence/${evidenceId}/shared`

/** Unix seconds: the first UTC midnight at least `ttlDays` after `now`. */
export function linkExpiry(now: Date, ttlDays: number): number {
  const earliest = Math.floor(now.getTime() / 1000) + ttlDays * DAY_SECONDS
  return Math.ceil(earliest / DAY_SECONDS) * DAY_SECONDS
}

export function linkSignature(key: Buffer, evidenceId: string, expires: number): string {
  return createHmac('sha256', key)
    .update(`zi-tracker evidence link v1\n${evidenceId.toLowerCase()}\n${expires}`)
    .digest('base64url')
}

export function signedLinkUrl(baseUrl: string, key: Buffer, evidenceId: string, expires: number): string {
  return `${baseUrl.replace(/\/+$/, '')}${signedContentPath(evidenceId)}?expires=${expires}&signature=${linkSignature(key, evidenceId, expires)}`
}

/** `invalid` for any other item, a changed expiry or signature; `expired` only for a genuine link past its time. */
export function checkLink(
  key: Buffer,
  evidenceId: string,
  expires: number,
  signature: string,
  now: Date,
): 'ok' | 'invalid' | 'expired' {
  const expected = Buffer.from(linkSignature(key, evidenceId, expires))
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid'
  return expires * 1000 <= now.getTime() ? 'expired' : 'ok'
}

/** The base64 key of config as bytes (32). */
export function parseLinkKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64')
  if (key.length !== 32) throw new Error('EVIDENCE_LINK_KEY must be the base64 of 32 bytes (openssl rand -base64 32)')
  return key
}

/** `Range: bytes=a-b` (one range) against a file of `size` bytes: the inclusive range, `unsatisfiable`, or null to send it all. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return null // not a single byte range: ignore it (RFC 9110 allows that)
  let start: number
  let end: number
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0) return 'unsatisfiable'
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(match[1])
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
    if (match[2] !== '' && Number(match[2]) < start) return null
  }
  if (start >= size || size === 0) return 'unsatisfiable'
  return { start, end }
}
