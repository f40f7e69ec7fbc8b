/**
 * Evidence rules as plain functions: which media types are accepted, and whether a file's first
 * bytes agree with the media type it was sent as.
 */
export const ALLOWED_MEDIA_TYPES = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'text/csv': 'csv',
  'application/zip': 'zip',
} as const
export type AllowedMediaType = keyof typeof ALLOWED_MEDIA_TYPES

/** Aliases some clients send for the same formats. */
const ALIASES: Record<string, AllowedMediaType> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/x-zip-compressed': 'application/zip',
  'application/x-zip': 'application/zip',
  'application/csv': 'text/csv',
}

const BY_EXTENSION: Record<string, AllowedMediaType> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  csv: 'text/csv',
  zip: 'application/zip',
}

/**
 * The accepted media type for what the client declared, or null when it is not allowed.
 * `application/octet-stream` (sent by clients that do not know) is resolved by the file name's
 * extension; parameters (`; charset=…`) and case are ignored.
 */
export function resolveMediaType(declared: string | undefined, fileName: string | undefined): AllowedMediaType | null {
  const base = (declared ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (base in ALLOWED_MEDIA_TYPES) return base as AllowedMediaType
  if (ALIASES[base]) return ALIASES[base]
  if (base === '' || base === 'application/octet-stream') {
    const ext = /\.([A-Za-z0-9]{1,5})$/.exec(fileName ?? '')?.[1]?.toLowerCase()
    return (ext && BY_EXTENSION[ext]) || null
  }
  return null
}

const startsWith = (head: Buffer, bytes: number[]): boolean => bytes.every((b, i) => head[i] === b)

/**
 * True when the first bytes of the content agree with the media type (magic numbers), so a
 * renamed executable is not served back as a PDF. CSV must look like text (no NUL byte).
 * An empty file matches nothing but CSV.
 */
export function contentMatchesMediaType(head: Buffer, mediaType: AllowedMediaType): boolean {
  switch (mediaType) {
    case 'application/pdf':
      return startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d]) // %PDF-
    case 'image/jpeg':
      return startsWith(head, [0xff, 0xd8, 0xff])
    case 'image/png':
      return startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    case 'application/zip':
    case 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet':
    case 'application/vnd.openxmlformats-officedocument.wordprocessingml.document':
      return startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])
    case 'text/csv':
      return !head.includes(0)
  }
}

/** Only http(s) links are evidence; anything else (javascript:, file:, data:) is refused. */
export const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}

/** Where a file lives under the evidence root: content-addressed by its SHA-256. */
export const contentPath = (sha256: string): string => `${sha256.slice(0, 2)}/${sha256}`

/** A file name safe for Content-Disposition: the ASCII fallback and the RFC 5987 form. */
export function contentDisposition(fileName: string | null, fallback: string): string {
  const name = (fileName ?? '').replace(/[\\/\u0000-\u001f\u007f]/g, '_').trim() || fallback
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}
