import type { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import type { Database } from './connection.js'

/** The listening connection's application_name (tests find its backend by it). */
export const LISTENER_APPLICATION_NAME = 'zi-tracker listener'

export interface ChannelHandlers {
  /** A NOTIFY on the channel (delivered after the notifying transaction commits). */
  onMessage(payload: string): void
  /**
   * The listening connection was lost or has just been (re)established: notifications may have
   * been missed in between, so anything derived from them must be dropped.
   */
  onReset(): void
  /** Logs a lost connection; never throws. */
  onError?(error: Error): void
}

export interface ChannelListener {
  /** True while notifications are being received; a cache must not serve or fill otherwise. */
  readonly listening: boolean
  close(): Promise<void>
}

export interface ListenOptions {
  /** First reconnect delay; doubles up to maxBackoffMs. */
  minBackoffMs?: number
  maxBackoffMs?: number
}

/**
 * Listens on one channel of the app's database. PostgreSQL: a dedicated connection outside the
 * pool (LISTEN needs a session of its own), reconnected with backoff when it drops; the process
 * never crashes on its errors. PGlite: its in-process listen.
 */
export async function listenChannel(
  database: Database,
  channel: string,
  handlers: ChannelHandlers,
  options: ListenOptions = {},
): Promise<ChannelListener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`)
  const client = (database.db as unknown as { $client: unknown }).$client
  if (database.kind === 'pglite') return listenPglite(client as PGlite, channel, handlers)
  const connectionString = (client as pg.Pool).options.connectionString
  if (!connectionString) throw new Error('the PostgreSQL pool has no connection string to listen with')
  return listenPostgres(connectionString, channel, handlers, options)
}

async function listenPglite(client: PGlite, channel: string, handlers: ChannelHandlers): Promise<ChannelListener> {
  const unsubscribe = await client.listen(channel, (payload) => handlers.onMessage(payload))
  let listening = true
  return {
    get listening() {
      return listening
    },
    close: async () => {
      listening = false
      if (!client.closed) await unsubscribe().catch(() => {})
    },
  }
}

async function listenPostgres(
  connectionString: string,
  channel: string,
  handlers: ChannelHandlers,
  options: ListenOptions,
): Promise<ChannelListener> {
  const minBackoff = options.minBackoffMs ?? 250
  const maxBackoff = options.maxBackoffMs ?? 10_000
  let listening = false
  let closed = false
  let current: pg.Client | null = null
  let timer: NodeJS.Timeout | null = null
  let backoff = minBackoff

  const lost = (client: pg.Client, error?: Error) => {
    if (client !== current) return
    current = null
    listening = false
    handlers.onReset()
    if (error) handlers.onError?.(error)
    client.removeAllListeners('notification')
    void client.end().catch(() => {})
    schedule()
  }

  const schedule = () => {
    if (closed || timer) return
    timer = setTimeout(() => {
      timer = null
      void connect()
    }, backoff)
    timer.unref()
    backoff = Math.min(backoff * 2, maxBackoff)
  }

  const connect = async (): Promise<boolean> => {
    const client = new pg.Client({
      connectionString,
      application_name: LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    })
    current = client
    // Without a listener, 'error' on an EventEmitter crashes the process.
    client.on('error', (error) => lost(client, error))
    client.on('end', () => lost(client, new Error('the listening connection ended')))
    client.on('notification', (message) => {
      if (message.channel === channel) handlers.onMessage(message.payload ?? '')
    })
    try {
      await client.connect()
      await client.query(`listen ${channel}`)
      if (closed || client !== current) {
        await client.end().catch(() => {})
        return false
      }
      // Anything cached while the connection was down may have missed a notification.
      handlers.onReset()
      listening = true
      backoff = minBackoff
      return true
    } catch (error) {
      lost(client, error as Error)
      return false
    }
  }

  await connect()
  return {
    get listening() {
      return listening
    },
    close: async () => {
      closed = true
      listening = false
      if (timer) clearTimeout(timer)
      timer = null
      const client = current
      current = null
      if (client) {
        client.removeAllListeners('notification')
        await client.end().catch(() => {})
      }
    },
  }
}
