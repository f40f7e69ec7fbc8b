import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** Tokens look like `zit_<8 hex prefix>_<43 base64url secret>`: 256 bits of secret. */
const TOKEN_RE = /^zit_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/

export interface NewToken {
  token: string
  prefix: string
  hash: string
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

export function generateToken(): NewToken {
  const prefix = randomBytes(4).toString('hex')
  const token = `zit_${prefix}_${randomBytes(32).toString('base64url')}`
  return { token, prefix, hash: hashToken(token) }
}

/** The lookup prefix of a well-formed token, or null for anything else. */
export function tokenPrefix(token: string): string | null {
  return TOKEN_RE.exec(token)?.[1] ?? null
}

/**
 * The bootstrap admin token is chosen by the operator (BOOTSTRAP_ADMIN_TOKEN), so it need not
 * have our shape; its prefix is derived from its hash so it can still be found by prefix.
 */
export function bootstrapTokenParts(token: string): NewToken {
  const hash = hashToken(token)
  return { token, prefix: tokenPrefix(token) ?? `b${hash.slice(0, 7)}`, hash }
}

/** Constant-time comparison of two hex digests. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && timingSafeEqual(x, y)
}
