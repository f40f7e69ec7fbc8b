/**
 * Webhook rules as plain functions (no Fastify, no database, no network): which URLs and
 * addresses may be called (SSRF guard), the Standard Webhooks signature, how the signing secret
 * is sealed at rest, and the retry schedule.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import { type Message, msg } from '../../lib/i18n.js'

// ---------------------------------------------------------------------------------------------
// Addresses

/**
 * Everything that is not a public unicast address: "this" network, private (RFC 1918), shared
 * (CGNAT), loopback, link-local, IETF protocol and documentation ranges, benchmarking, multicast,
 * reserved and broadcast; for IPv6 the unspecified, loopback and IPv4-compatible addresses (::/96), IPv4-mapped, NAT64 and
 * 6to4 (they reach IPv4 hosts that would be judged by the IPv4 table), Teredo and the other IETF
 * assignments, documentation, unique local (fc00::/7), link-local, site-local and multicast.
 */
const NON_PUBLIC: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 96, 'ipv6'],
  ['::ffff:0:0:0', 96, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
]
const blocked = new BlockList()
for (const [net, prefix, type] of NON_PUBLIC) blocked.addSubnet(net, prefix, type)

/**
 * IPv4-mapped IPv6 (::ffff:0:0/96) is refused outright. (It is not in the table: Node's BlockList
 * matches every IPv4 address against an IPv4-mapped IPv6 rule.)
 */
function isMappedIpv4(address: string): boolean {
  const normal = new URL(`http://[${address}]/`).hostname.slice(1, -1)
  return /^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(normal) || /^::ffff:\d+\.\d+\.\d+\.\d+$/.test(normal)
}

/** True for a public unicast IPv4 or IPv6 address; false for anything else (including non-addresses). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 0) return false
  if (family === 6 && isMappedIpv4(address)) return false
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

/** WEBHOOK_ALLOW_HOSTS: comma-separated host names or addresses, compared case-insensitively. */
export function parseAllowHosts(value: string | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((h) => normalizeHost(h.trim()))
      .filter(Boolean),
  )
}

export const normalizeHost = (host: string): string => host.toLowerCase().replace(/^\[(.*)\]$/, '$1')

export type UrlCheck =
  | { ok: true; url: URL; host: string; allowed: boolean }
  | { ok: false; rule: string; message: Message }

/**
 * A subscription URL: https (http only for hosts in the allow-list, meant for tests), no
 * credentials, no fragment. Where it resolves is checked separately (resolve then isPublicAddress).
 */
export function checkWebhookUrl(raw: string, allowHosts: ReadonlySet<string>): UrlCheck {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, rule: 'url', message: msg('webhooks:rules.rule') }
  }
  const host = normalizeHost(url.hostname)
  const allowed = allowHosts.has(host)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed)) {
    return {
      ok: false,
      rule: 'https_required',
      message: msg('webhooks:rules.rule_2', { protocol: url.protocol.replace(/:$/, '') }),
    }
  }
  if (!host) return { ok: false, rule: 'url', message: msg('webhooks:rules.rule_3') }
  if (url.username || url.password)
    return {
      ok: false,
      rule: 'credentials_not_allowed',
      message: msg('webhooks:rules.rule_4'),
    }
  if (url.hash) return { ok: false, rule: 'fragment_not_allowed', message: msg('webhooks:rules.rule_5') }
  return { ok: true, url, host, allowed }
}

/** Of the addresses a host resolves to, the first that is not public (null when all are public). */
export const firstNonPublic = (addresses: readonly string[]): string | null =>
  addresses.find((a) => !isPublicAddress(a)) ?? null

// ---------------------------------------------------------------------------------------------
// Standard Webhooks (https://www.standardwebhooks.com/)

/** A new signing secret: "whsec_" + base64 of 32 random bytes. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`

/** The webhook-signature header: "v1," + base64(HMAC-SHA256(secret bytes, "<id>.<timestamp>.<body>")). */
export function signatureHeader(secret: string, messageId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64')
  return `v1,${createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`
}

// ---------------------------------------------------------------------------------------------
// The secret at rest: AES-256-GCM under WEBHOOK_SECRET_KEY, bound to the subscription id

/** WEBHOOK_SECRET_KEY: base64 (or base64url) of exactly 32 bytes, e.g. `openssl rand -base64 32`. */
export function parseSecretKey(value: string): Buffer {
  const key = Buffer.from(value, 'base64')
  if (key.length !== 32) throw new Error('WEBHOOK_SECRET_KEY must be the base64 of 32 bytes (openssl rand -base64 32)')
  return key
}

/** "v1:" + base64(iv ‖ tag ‖ ciphertext); the subscription id is the associated data, so a sealed secret cannot be moved to another row. */
export function sealSecret(key: Buffer, secret: string, subscriptionId: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(subscriptionId))
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`
}

/** The secret back; throws when the key is another one or the value was altered. */
export function openSecret(key: Buffer, sealed: string, subscriptionId: string): string {
  if (!sealed.startsWith('v1:')) throw new Error('unknown sealed secret format')
  const raw = Buffer.from(sealed.slice(3), 'base64')
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
  decipher.setAAD(Buffer.from(subscriptionId))
  decipher.setAuthTag(raw.subarray(12, 28))
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
}

// ---------------------------------------------------------------------------------------------
// Retries

export const MAX_RETRY_DELAY_MS = 6 * 3_600_000

/**
 * The wait before attempt `attempt + 1` after `attempt` failed: base × 2^(attempt−1), capped at
 * 6 hours, plus up to 20 % jitter (`jitter` in [0, 1)) so receivers coming back are not hit by
 * every replica at once.
 */
export function retryDelayMs(attempt: number, baseMs: number, jitter: number): number {
  const exp = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exp * (1 + 0.2 * Math.min(Math.max(jitter, 0), 1)))
}

/** What follows an attempt: delivered (2xx), retried later, or given up after the last attempt. */
export function outcomeOf(
  statusCode: number | null,
  attempt: number,
  maxAttempts: number,
): 'delivered' | 'retry' | 'failed' {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return 'delivered'
  return attempt >= maxAttempts ? 'failed' : 'retry'
}
