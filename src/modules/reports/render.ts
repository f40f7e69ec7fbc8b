/**
 * A document definition → PDF bytes with pdfmake (pdfkit underneath), its bundled Roboto
 * embedded. No URL is fetched and no file read but the fonts: images and fonts from elsewhere are
 * refused. Pure CPU work on bounded data (a LHE is a few pages: 6 areas, the target's rules,
 * ten requirements; a letter lists at most the 200 units its query allows), run off the request
 * thread by pdf.ts.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { TDocumentDefinitions } from './documents.js'

const require = createRequire(import.meta.url)

/** The part of pdfmake's server API used here (pdfmake 0.3: a configured singleton). */
interface PdfMake {
  setUrlAccessPolicy(allow: (url: string) => boolean): void
  setLocalAccessPolicy(allow: (path: string) => boolean): void
  setFonts(fonts: Record<string, Record<'normal' | 'bold' | 'italics' | 'bolditalics', string>>): void
  createPdf(doc: TDocumentDefinitions): { getBuffer(): Promise<Buffer> }
}
const pdfmake = require('pdfmake') as PdfMake
const FONT_DIR = join(dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto')

let ready = false
function setUp(): void {
  if (ready) return
  pdfmake.setUrlAccessPolicy(() => false)
  pdfmake.setLocalAccessPolicy((path) => path.startsWith(FONT_DIR))
  pdfmake.setFonts({
    Roboto: {
      normal: join(FONT_DIR, 'Roboto-Regular.ttf'),
      bold: join(FONT_DIR, 'Roboto-Medium.ttf'),
      italics: join(FONT_DIR, 'Roboto-Italic.ttf'),
      bolditalics: join(FONT_DIR, 'Roboto-MediumItalic.ttf'),
    },
  })
  ready = true
}

export async function renderPdf(doc: TDocumentDefinitions): Promise<Uint8Array> {
  setUp()
  const buffer = await pdfmake.createPdf(doc).getBuffer()
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}
