import type { FastifyInstance } from 'fastify'
import { isDatabaseUnavailable } from './db-errors.js'

/**
 * Runs `task` every `everyMs` once the app is ready, never two rounds at once, and stops before
 * the app closes. A round that fails is logged and the next one tries again: a database that is
 * down or restarting is a warning ("<what> skipped: database unavailable"), anything else an
 * error ("<what> failed").
 */
export function runPeriodically(
  app: FastifyInstance,
  opts: { what: string; everyMs: number; task: () => Promise<void> },
): void {
  let timer: NodeJS.Timeout | undefined
  let running = false
  const round = async () => {
    if (running) return
    running = true
    try {
      await opts.task()
    } catch (err) {
      if (isDatabaseUnavailable(err)) app.log.warn({ err }, `${opts.what} skipped: database unavailable`)
      else app.log.error({ err }, `${opts.what} failed`)
    } finally {
      running = false
    }
  }
  app.addHook('onReady', async () => {
    timer = setInterval(() => void round(), opts.everyMs)
    timer.unref()
  })
  app.addHook('preClose', async () => clearInterval(timer))
}

/** A worker's wait between polls that stopping it cuts short (the webhook and notice workers). */
export class Pause {
  private wake: (() => void) | undefined

  /** Resolves after `ms`, or at once when interrupt() is called meanwhile. */
  for(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wake = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.wake = done
    })
  }

  interrupt(): void {
    this.wake?.()
  }
}
