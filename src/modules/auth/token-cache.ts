import { LRUCache } from 'lru-cache'
import type { Principal } from '../../lib/principal.js'

/** The channel the auth triggers (migration 0010) notify: 't:<token id>', 'p:<principal id>' or '*'. */
export const AUTH_CHANNEL = 'zi_auth'

interface Entry {
  principal: Principal
  /** The token's own expiry (ms since epoch), checked on every hit. */
  expiresAt: number | null
}

export interface TokenCacheOptions {
  max: number
  ttlMs: number
  /** Whether invalidations are being received; the cache neither serves nor fills otherwise. */
  listening: () => boolean
}

/**
 * Verified tokens by the SHA-256 of the token: the principal and its grants, so a token already
 * seen costs no query. Every replica drops entries when PostgreSQL notifies a change (revocation,
 * a disabled principal, a grant added, changed or removed, a unit moved); entries also expire
 * after ttlMs as a safety net. Failed look-ups are never cached.
 */
export class TokenCache {
  readonly #lru: LRUCache<string, Entry>
  readonly #listening: () => boolean
  // Bumped by every invalidation: a look-up that started before one must not fill the cache.
  #generation = 0

  constructor(options: TokenCacheOptions) {
    this.#lru = new LRUCache<string, Entry>({ max: options.max, ttl: options.ttlMs, ttlAutopurge: false })
    this.#listening = options.listening
  }

  get size(): number {
    return this.#lru.size
  }

  get(hash: string): Principal | undefined {
    if (!this.#listening()) return undefined
    const entry = this.#lru.get(hash)
    if (!entry) return undefined
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      this.#lru.delete(hash)
      return undefined
    }
    return entry.principal
  }

  /** A ticket to take before the database look-up; `set` refuses it if anything was invalidated since. */
  ticket(): number {
    return this.#generation
  }

  set(ticket: number, hash: string, principal: Principal, expiresAt: Date | null): void {
    if (ticket !== this.#generation || !this.#listening()) return
    this.#lru.set(hash, { principal, expiresAt: expiresAt ? expiresAt.getTime() : null })
  }

  /** Applies one notification payload. */
  invalidate(payload: string): void {
    this.#generation++
    const [kind, id] = [payload.slice(0, 2), payload.slice(2)]
    if (kind !== 't:' && kind !== 'p:') {
      this.#lru.clear()
      return
    }
    for (const [hash, entry] of this.#lru.entries()) {
      if (kind === 't:' ? entry.principal.tokenId === id : entry.principal.principalId === id) this.#lru.delete(hash)
    }
  }

  clear(): void {
    this.#generation++
    this.#lru.clear()
  }
}

/**
 * The tokens used since the last flush and when: `last_used_at` is written in one statement
 * per flush (every flushMs, and on close), off the request path.
 */
export class TokenUsage {
  readonly #used = new Map<string, Date>()

  touch(tokenId: string, at = new Date()): void {
    this.#used.set(tokenId, at)
  }

  get pending(): number {
    return this.#used.size
  }

  /** Hands over what was recorded and starts afresh. */
  drain(): { ids: string[]; times: Date[] } {
    const ids = [...this.#used.keys()]
    const times = [...this.#used.values()]
    this.#used.clear()
    return { ids, times }
  }

  /** Puts back a drained batch that could not be written (newer uses win). */
  restore(batch: { ids: string[]; times: Date[] }): void {
    batch.ids.forEach((id, i) => {
      if (!this.#used.has(id)) this.#used.set(id, batch.times[i]!)
    })
  }
}
