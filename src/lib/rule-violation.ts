import { type Message, msg } from './i18n.js'
import { ProblemError } from './problem.js'

/**
 * A broken domain rule as the pure `rules.ts` functions report it: the status and code the route
 * answers with, the JSON pointer of the offending input and a message. Services turn it into a
 * ProblemError.
 */
export interface RuleViolation<Allowed extends string = string> {
  status: 403 | 409 | 422
  code: string
  pointer: string
  message: Message
  /** the moves that are allowed instead, when the rule is a state machine */
  allowed?: Allowed[]
}

/** The 4xx problem for a violation; `lead` opens the detail ("The unit breaks a registry rule"). */
export function violationProblem(v: RuleViolation, lead: Message): ProblemError {
  return new ProblemError(v.status, v.code, msg('common:violation', { lead, message: v.message }), {
    errors: [{ pointer: v.pointer, rule: v.code, message: v.message }],
    ...(v.allowed ? { allowed: v.allowed } : {}),
  })
}

/** Throws the problem for `v` when a rule failed; does nothing for null. */
export function throwIfViolated(v: RuleViolation | null, lead: Message): void {
  if (v) throw violationProblem(v, lead)
}
