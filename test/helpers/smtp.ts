import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  to: string
  subject: string
  text: string
  /** header name (lower case) → raw value */
  headers: Map<string, string>
}

export interface TestSmtp {
  port: number
  url: string
  received: ReceivedMail[]
  /** mails to one address */
  to(address: string): ReceivedMail[]
  stop(): Promise<void>
  /** listen again on the same port after stop() */
  restart(): Promise<void>
}

const addressOf = (m: ParsedMail): string => {
  const to = Array.isArray(m.to) ? m.to[0] : m.to
  return to?.value[0]?.address ?? ''
}

/**
 * A real SMTP server on loopback (smtp-server), keeping every mail it accepts parsed
 * (mailparser): what the service sent is read back as a mail program would.
 */
export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = []
  let server: SMTPServer | undefined
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, _session, callback) {
          simpleParser(stream).then(
            (m) => {
              received.push({
                to: addressOf(m),
                subject: m.subject ?? '',
                text: m.text ?? '',
                headers: new Map(m.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()])),
              })
              callback()
            },
            (err: Error) => callback(err),
          )
        },
      })
      s.on('error', reject)
      s.listen(port, '127.0.0.1', () => {
        server = s
        resolve((s.server.address() as AddressInfo).port)
      })
    })
  const port = await listen(0)
  const stop = () =>
    new Promise<void>((resolve) => {
      const s = server
      server = undefined
      if (!s) return resolve()
      s.close(() => resolve())
    })
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    to: (address) => received.filter((m) => m.to === address),
    stop,
    restart: async () => {
      await listen(port)
    },
  }
}
