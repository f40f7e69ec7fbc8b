/**
 * Exit codes of `zi`, for scripts (README "Evaluator CLI and typed client"):
 *   0 ok · 1 usage (bad arguments, unreadable file) · 2 refused as invalid (a 4xx problem such as
 *   400/422, or a bad answer file) · 3 authentication/authorisation (401/403, not logged in) ·
 *   4 not found (404) · 5 conflict or precondition (409/412/428) · 6 server, network or rate limit
 *   (5xx, 429, no answer; also an unexpected failure of the CLI): retrying later may help.
 */
export const EXIT = { ok: 0, usage: 1, refused: 2, auth: 3, notFound: 4, conflict: 5, unavailable: 6 } as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.auth
  if (status === 404) return EXIT.notFound
  if (status === 409 || status === 412 || status === 428) return EXIT.conflict
  if (status === 429 || status >= 500) return EXIT.unavailable
  if (status >= 400) return EXIT.refused
  return EXIT.unavailable
}

/** A failure with its exit code; `message` goes to stderr. */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message)
  }
}

export const usageError = (message: string): CliError => new CliError(EXIT.usage, message)
