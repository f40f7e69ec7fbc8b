import { inflateRawSync } from 'node:zlib'
import { type Message, msg } from './i18n.js'

/**
 * A guard run on an uploaded .xlsx (a ZIP archive) before exceljs unpacks it: exceljs inflates
 * every entry into memory, so a small "zip bomb" could take a replica down. This reads the central
 * directory and really inflates each entry with a cap (zlib's maxOutputLength), so a header that
 * lies about sizes does not help. Plain functions, no dependencies beyond node:zlib.
 */
export interface ZipLimits {
  /** most entries accepted */
  maxEntries: number
  /** most bytes all entries may inflate to, together */
  maxTotalBytes: number
}

export type ZipCheck =
  | { ok: true; entries: string[]; totalBytes: number }
  | { ok: false; reason: 'not_zip' | 'too_many_entries' | 'too_large' | 'unsupported'; message: Message }

const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

export interface ZipEntry {
  name: string
  /** 0 stored, 8 deflated */
  method: number
  /** the entry's bytes as stored in the archive */
  raw: Buffer
}

/** The entries of a ZIP archive from its central directory, or why it is not one. */
export function zipEntries(
  buf: Buffer,
  maxEntries = Infinity,
): { ok: true; entries: ZipEntry[] } | Extract<ZipCheck, { ok: false }> {
  const notZip = (message: Message) => ({ ok: false as const, reason: 'not_zip' as const, message })
  if (buf.length < 22 || buf.readUInt32LE(0) !== LOCAL) return notZip(msg('http:zip.message'))
  // The end-of-central-directory record is in the last 22 + 65535 bytes (its comment is at most 64 KiB).
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i
      break
    }
  }
  if (eocd < 0) return notZip(msg('http:zip.message_2'))
  const count = buf.readUInt16LE(eocd + 10)
  const dirOffset = buf.readUInt32LE(eocd + 16)
  if (count === 0xffff || dirOffset === 0xffffffff)
    return {
      ok: false,
      reason: 'unsupported',
      message: msg('http:field.rule'),
    }
  if (count > maxEntries)
    return {
      ok: false,
      reason: 'too_many_entries',
      message: msg('http:field.rule_2', { count, maxEntries }),
    }
  const entries: ZipEntry[] = []
  let p = dirOffset
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) return notZip(msg('http:zip.message_3'))
    const method = buf.readUInt16LE(p + 10)
    const compressed = buf.readUInt32LE(p + 20)
    const nameLength = buf.readUInt16LE(p + 28)
    const extraLength = buf.readUInt16LE(p + 30)
    const commentLength = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength)
    p += 46 + nameLength + extraLength + commentLength
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) return notZip(msg('http:zip.message_4', { name }))
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    if (start + compressed > buf.length) return notZip(msg('http:zip.message_5', { name }))
    entries.push({ name, method, raw: buf.subarray(start, start + compressed) })
  }
  return { ok: true, entries }
}

/** An entry's content, refusing (RangeError) to inflate more than `maxBytes`. */
export function unzipEntry(entry: ZipEntry, maxBytes: number): Buffer {
  if (entry.method === 0) {
    if (entry.raw.length > maxBytes) throw new RangeError(`${entry.name} is larger than ${maxBytes} bytes`)
    return entry.raw
  }
  if (entry.method !== 8) throw new Error(`${entry.name} uses compression method ${entry.method}`)
  return inflateRawSync(entry.raw, { maxOutputLength: Math.max(1, maxBytes) })
}

export function inspectZip(buf: Buffer, limits: ZipLimits): ZipCheck {
  const dir = zipEntries(buf, limits.maxEntries)
  if (!dir.ok) return dir
  const tooLarge: ZipCheck = {
    ok: false,
    reason: 'too_large',
    message: msg('http:field.rule_3', { maxTotalBytes: limits.maxTotalBytes }),
  }
  let total = 0
  for (const entry of dir.entries) {
    if (entry.method !== 0 && entry.method !== 8)
      return {
        ok: false,
        reason: 'unsupported',
        message: msg('http:field.rule_4', { name: entry.name, method: entry.method }),
      }
    try {
      total += unzipEntry(entry, limits.maxTotalBytes - total).length
    } catch (error) {
      if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge
      return { ok: false, reason: 'not_zip', message: msg('http:field.rule_5', { name: entry.name }) }
    }
    if (total > limits.maxTotalBytes) return tooLarge
  }
  return { ok: true, entries: dir.entries.map((e) => e.name), totalBytes: total }
}
