import type { Translator } from '../../lib/i18n.js'
import { msg } from '../../lib/i18n.js'
import { ALL_KINDS, jakartaTime, unsubscribeToken } from './rules.js'
import type { NoticeRow } from './tables.js'

/**
 * The mails: one notice, or a person's digest, rendered in the person's language from the
 * catalogue (src/messages/notifications.ts), with the link to the object, the unsubscribe link of
 * each kind, and the List-Unsubscribe header (RFC 2369, one-click RFC 8058).
 */
export interface MailContent {
  subject: string
  text: string
  headers: Record<string, string>
}

export interface MailSettings {
  /** PUBLIC_BASE_URL without a trailing slash */
  baseUrl: string
}

type Notice = Pick<NoticeRow, 'kind' | 'params' | 'link'>

const keyOf = (kind: string): string => kind.replace('.', '_')
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v))

/** The template's parameters, as the catalogue's strings take them (names of stages and windows in the reader's language). */
function paramsOf(n: Notice): Record<string, unknown> {
  const p = n.params
  const units = Array.isArray(p.units) ? (p.units as unknown[]).map((u) => `- ${str(u)}`) : []
  const more = Number(p.more_units ?? 0)
  const comments = Array.isArray(p.comments) ? (p.comments as unknown[]).map(str) : []
  return {
    ...p,
    unit: str(p.unit),
    period: str(p.period),
    target: str(p.target),
    window: p.window ? msg(`notifications:windows.${str(p.window)}`) : '',
    stage: p.stage ? msg(`notifications:stages.${str(p.stage)}`) : '',
    opens: p.opens ? jakartaTime(new Date(str(p.opens))) : '',
    closes: p.closes ? jakartaTime(new Date(str(p.closes))) : '',
    days: str(p.days),
    units: [...units, ...(more > 0 ? [msg('notifications:more_units', { count: more })] : [])],
    reason: str(p.reason),
    title: str(p.title),
    area: str(p.area),
    target_date: str(p.target_date),
    pic: str(p.pic),
    comments,
    outcome: p.outcome ? msg(`notifications:outcomes.${str(p.outcome)}`, { target: str(p.target) }) : '',
  }
}

function render(t: Translator, n: Notice): { subject: string; body: string } {
  const params = paramsOf(n)
  const units = (params.units as (string | ReturnType<typeof msg>)[]).map((u) => t(u)).join('\n')
  const comments = params.comments as string[]
  const flat = {
    ...params,
    units,
    comments: comments.length > 0 ? `\n\n${t(msg('notifications:comments_heading'))}\n${comments.join('\n')}` : '',
  }
  const key = keyOf(n.kind)
  return {
    subject: t(msg(`notifications:subject.${key}`, flat)),
    body: t(msg(`notifications:body.${key}`, flat)),
  }
}

export const unsubscribeUrl = (s: MailSettings, secret: string, principalId: string, kind: string): string =>
  `${s.baseUrl}/v1/notifications/unsubscribe?token=${unsubscribeToken(secret, principalId, kind)}`

const listUnsubscribe = (url: string): Record<string, string> => ({
  'List-Unsubscribe': `<${url}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
})

function footer(t: Translator, s: MailSettings, lines: string[]): string {
  return [
    '-- ',
    t(msg('notifications:footer')),
    ...lines,
    t(msg('notifications:preferences_line', { url: `${s.baseUrl}/v1/notifications/preferences` })),
  ].join('\n')
}

/** One notice as its own mail. */
export function noticeMail(t: Translator, s: MailSettings, to: { id: string; secret: string }, n: Notice): MailContent {
  const { subject, body } = render(t, n)
  const unsubscribe = unsubscribeUrl(s, to.secret, to.id, n.kind)
  const kindName = t(msg(`notifications:kinds.${keyOf(n.kind)}`))
  const text = [
    body,
    ...(n.link ? ['', t(msg('notifications:open_link', { url: `${s.baseUrl}${n.link}` }))] : []),
    '',
    footer(t, s, [t(msg('notifications:unsubscribe_line', { kind: kindName, url: unsubscribe }))]),
  ].join('\n')
  return { subject, text, headers: listUnsubscribe(unsubscribe) }
}

/** Several notices of one person as the day's digest (oldest first). */
export function digestMail(
  t: Translator,
  s: MailSettings,
  to: { id: string; secret: string },
  list: readonly Notice[],
): MailContent {
  const items = list.map((n) => {
    const { subject, body } = render(t, n)
    return [
      `* ${subject}`,
      body,
      ...(n.link ? [t(msg('notifications:open_link', { url: `${s.baseUrl}${n.link}` }))] : []),
    ].join('\n')
  })
  const kinds = [...new Set(list.map((n) => n.kind))].sort()
  const all = unsubscribeUrl(s, to.secret, to.id, ALL_KINDS)
  const text = [
    t(msg('notifications:digest.intro')),
    '',
    items.join('\n\n'),
    '',
    footer(t, s, [
      ...kinds.map((k) =>
        t(
          msg('notifications:unsubscribe_line', {
            kind: t(msg(`notifications:kinds.${keyOf(k)}`)),
            url: unsubscribeUrl(s, to.secret, to.id, k),
          }),
        ),
      ),
      t(msg('notifications:digest.unsubscribe_all', { url: all })),
    ]),
  ].join('\n')
  return {
    subject: t(msg('notifications:digest.subject', { count: list.length })),
    text,
    headers: listUnsubscribe(all),
  }
}
