import { randomBytes } from 'node:crypto'
import t from 'tap'
import {
  checkWebhookUrl,
  isPublicAddress,
  openSecret,
  outcomeOf,
  parseAllowHosts,
  parseSecretKey,
  retryDelayMs,
  sealSecret,
  signatureHeader,
} from '../../src/modules/webhooks/rules.js'

t.test('the Standard Webhooks signature matches the published test vector', async (t) => {
  // The example of the Standard Webhooks / Svix reference libraries (not computed by this code).
  t.equal(
    signatureHeader(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    ),
    'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  )
})

t.test('public and non-public addresses', async (t) => {
  for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700::1111', '2001:4860:4860::8888'])
    t.ok(isPublicAddress(a), `${a} is public`)
  for (const a of [
    '127.0.0.1',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.1',
    '198.18.0.1',
    '::',
    '::1',
    'fe80::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    '2001:db8::1',
    'not an address',
  ]) {
    t.notOk(isPublicAddress(a), `${a} is refused`)
  }
})

t.test('webhook URLs', async (t) => {
  const allow = parseAllowHosts(' 127.0.0.1, Hooks.Test.Local ,[::1]')
  t.same([...allow].sort(), ['127.0.0.1', '::1', 'hooks.test.local'])
  t.match(checkWebhookUrl('https://example.org/x', allow), { ok: true, allowed: false })
  t.match(checkWebhookUrl('http://example.org/x', allow), { ok: false, rule: 'https_required' })
  t.match(checkWebhookUrl('http://127.0.0.1:8080/x', allow), { ok: true, allowed: true })
  t.match(checkWebhookUrl('http://hooks.test.local/x', allow), { ok: true, allowed: true })
  t.match(checkWebhookUrl('http://[::1]:9/x', allow), { ok: true, allowed: true })
  t.match(checkWebhookUrl('https://a:b@example.org/x', allow), { ok: false, rule: 'credentials_not_allowed' })
  t.match(checkWebhookUrl('https://example.org/x#frag', allow), { ok: false, rule: 'fragment_not_allowed' })
  t.match(checkWebhookUrl('example.org/x', allow), { ok: false, rule: 'url' })
})

t.test('the sealed secret', async (t) => {
  const key = parseSecretKey(randomBytes(32).toString('base64'))
  const sealed = sealSecret(key, 'whsec_abc', 'sub-1')
  t.notOk(sealed.includes('abc'))
  t.equal(openSecret(key, sealed, 'sub-1'), 'whsec_abc')
  t.not(sealSecret(key, 'whsec_abc', 'sub-1'), sealed, 'a fresh IV each time')
  // AES-GCM's tag check fails (node:crypto's message)
  const unauthentic = { message: 'Unsupported state or unable to authenticate data' }
  t.throws(() => openSecret(key, sealed, 'sub-2'), unauthentic, 'bound to its subscription')
  t.throws(
    () => openSecret(parseSecretKey(randomBytes(32).toString('base64')), sealed, 'sub-1'),
    unauthentic,
    'another key cannot open it',
  )
  t.throws(() => parseSecretKey(randomBytes(16).toString('base64')), /32 bytes/)
  t.equal(parseSecretKey(randomBytes(32).toString('base64url')).length, 32, 'base64url works too')
})

t.test('retries', async (t) => {
  t.equal(retryDelayMs(1, 1000, 0), 1000)
  t.equal(retryDelayMs(2, 1000, 0), 2000)
  t.equal(retryDelayMs(4, 1000, 0), 8000)
  t.equal(retryDelayMs(3, 1000, 1), 4800, 'at most 20 % jitter')
  t.equal(retryDelayMs(40, 30000, 0), 6 * 3_600_000, 'capped at 6 hours')
  t.equal(outcomeOf(204, 1, 3), 'delivered')
  t.equal(outcomeOf(500, 1, 3), 'retry')
  t.equal(outcomeOf(null, 2, 3), 'retry')
  t.equal(outcomeOf(301, 3, 3), 'failed', 'a redirect is not followed and counts as a failure')
})
