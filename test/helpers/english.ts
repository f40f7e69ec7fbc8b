import { englishText, renderAll } from '../../src/lib/i18n.js'

/** A value with every Message in it rendered in English (pure rules return messages, not texts). */
export const english = <T>(value: T) => renderAll(value, englishText)
