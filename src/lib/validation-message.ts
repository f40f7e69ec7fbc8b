import { type Message, msg } from './i18n.js'

const LIMITS = new Set(['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'])
const COMPARISONS = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'])
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'])

/**
 * The message of a failed JSON Schema keyword (ajv's and TypeBox's errors carry the keyword and
 * its params; their own texts are English), from the `validation` catalogue in either language.
 */
export function ruleMessage(keyword: string, params: Record<string, unknown> = {}): Message {
  if (keyword === 'additionalProperties') return msg('validation:additionalProperties')
  if (keyword === 'required' && typeof params.missingProperty === 'string')
    return msg('validation:required', { missingProperty: params.missingProperty })
  if (keyword === 'required') return msg('validation:required_field')
  if (keyword === 'enum' && Array.isArray(params.allowedValues))
    return msg('validation:enum', { values: params.allowedValues.map((v) => JSON.stringify(v)).join(', ') })
  if (keyword === 'const' && 'allowedValue' in params)
    return msg('validation:const', { value: JSON.stringify(params.allowedValue) })
  if (keyword === 'type') {
    const types = String(params.type ?? '').split(',')
    return msg('validation:type', {
      type: types.every((t) => TYPES.has(t)) ? msg(`validation:types.${types[0]}`) : String(params.type),
      ...(types.length > 1 ? { type: types.join(' | ') } : {}),
    })
  }
  if (LIMITS.has(keyword)) return msg(`validation:${keyword}`, { limit: params.limit })
  if (COMPARISONS.has(keyword))
    return msg('validation:comparison', { comparison: params.comparison, limit: params.limit })
  if (keyword === 'format') return msg('validation:format', { format: params.format })
  if (keyword === 'pattern') return msg('validation:pattern', { pattern: params.pattern })
  if (keyword === 'uniqueItems') return msg('validation:uniqueItems', { i: params.i, j: params.j })
  if (keyword === 'multipleOf') return msg('validation:multipleOf', { multipleOf: params.multipleOf })
  if (keyword === 'anyOf' || keyword === 'oneOf') return msg('validation:anyOf')
  return msg('validation:invalid')
}
