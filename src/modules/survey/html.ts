/**
 * The respondents' pages, server-rendered in Bahasa Indonesia: the form, the thank-you page and
 * the refusals. No script, no external asset: one small inline stylesheet, readable on a phone.
 */
import {
  AGE_BANDS,
  EDUCATION_LEVELS,
  KIND_TITLE,
  SCALE_LABELS,
  itemField,
  type Kind,
  type SurveyItem,
} from './rules.js'

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** The pages' Content-Security-Policy: inline style only, posts only to this origin. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;background:#f4f6f8}
main{max-width:640px;margin:0 auto;padding:16px}
header{background:#0d47a1;color:#fff;padding:16px}
header h1{font-size:1.25rem;margin:0 0 4px}
header p{margin:0;opacity:.9}
fieldset{border:0;background:#fff;border-radius:8px;margin:0 0 12px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
legend{font-weight:600;padding:0;margin-bottom:8px;float:left;width:100%}
.scale{display:grid;grid-template-columns:1fr 1fr;gap:8px;clear:both}
.scale label{display:flex;align-items:center;gap:8px;border:1px solid #c5cdd6;border-radius:6px;padding:10px;min-height:48px}
.scale input{width:22px;height:22px;margin:0}
select,input[type=text]{width:100%;font-size:1rem;padding:10px;border:1px solid #c5cdd6;border-radius:6px;background:#fff;clear:both}
button{width:100%;font-size:1.1rem;padding:14px;border:0;border-radius:8px;background:#0d47a1;color:#fff;margin:8px 0 24px}
.err{color:#b71c1c;font-weight:600;clear:both}
.note{font-size:.9rem;color:#555}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
h2{font-size:1.1rem;margin:20px 0 8px}
`

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>${body}</body>
</html>
`
}

export interface FormModel {
  action: string
  unitName: string
  campaignName: string
  serviceTypes: string[]
  sets: Partial<Record<Kind, SurveyItem[]>>
  requiresInvitation: boolean
  values?: Record<string, string>
  problems?: { field: string; message: string }[]
}

function options(list: [string, string][], selected: string | undefined): string {
  return [
    `<option value="">— pilih —</option>`,
    ...list.map(([v, label]) => `<option value="${esc(v)}"${selected === v ? ' selected' : ''}>${esc(label)}</option>`),
  ].join('')
}

export function formPage(m: FormModel): string {
  const values = m.values ?? {}
  const errorOf = new Map((m.problems ?? []).map((p) => [p.field, p.message]))
  const err = (field: string) => {
    const e = errorOf.get(field)
    return e ? `<p class="err" id="err-${esc(field)}">${esc(e)}</p>` : ''
  }
  const sections: string[] = []
  let n = 0
  for (const kind of ['ipkp', 'ipak'] as Kind[]) {
    const items = m.sets[kind]
    if (!items) continue
    sections.push(`<h2>${esc(KIND_TITLE[kind])}</h2>`)
    for (const item of items) {
      n++
      const name = itemField(kind, item.code)
      const radios = [1, 2, 3, 4]
        .map(
          (v) =>
            `<label><input type="radio" name="${esc(name)}" value="${v}" required${values[name] === String(v) ? ' checked' : ''}> ${esc(SCALE_LABELS[v]!)}</label>`,
        )
        .join('')
      sections.push(
        `<fieldset><legend>${n}. ${esc(item.text)}</legend>${err(name)}<div class="scale">${radios}</div></fieldset>`,
      )
    }
  }
  const general = (m.problems ?? []).filter((p) => p.field === 'website' || p.field === '' || p.field.startsWith('_'))
  const unknown = (m.problems ?? []).filter(
    (p) => !['service_type', 'age_band', 'education', 'kode', 'website'].includes(p.field) && !p.field.includes('.'),
  )
  const banner =
    (m.problems?.length ?? 0) > 0
      ? `<p class="err" role="alert">Ada isian yang belum benar; periksa tanda merah di bawah.${[...general, ...unknown]
          .map((p) => ` ${esc(p.message)}.`)
          .join('')}</p>`
      : ''
  const invitation = m.requiresInvitation
    ? `<fieldset><legend>Kode undangan</legend>${err('kode')}<input type="text" name="kode" autocomplete="off" maxlength="40" required value="${esc(values.kode ?? '')}"></fieldset>`
    : ''
  return page(
    `Survei ${m.unitName}`,
    `<header><h1>Survei Persepsi Pelayanan dan Anti Korupsi</h1><p>${esc(m.unitName)} · ${esc(m.campaignName)}</p></header>
<main>
<p>Terima kasih telah menggunakan layanan kami. Survei ini untuk Anda yang <strong>sudah selesai menerima layanan</strong>.
Jawaban Anda <strong>anonim</strong>: kami tidak menanyakan nama, nomor telepon maupun e-mail.</p>
<p class="note">Pilih satu jawaban untuk setiap pernyataan: 1 = sangat tidak setuju, 4 = sangat setuju.</p>
${banner}
<form method="post" action="${esc(m.action)}" accept-charset="utf-8">
${invitation}
<fieldset><legend>Jenis layanan yang Anda terima</legend>${err('service_type')}<select name="service_type">${options(
      m.serviceTypes.map((s) => [s, s]),
      values.service_type,
    )}</select></fieldset>
<fieldset><legend>Usia (tidak wajib)</legend>${err('age_band')}<select name="age_band">${options(
      Object.entries(AGE_BANDS),
      values.age_band,
    )}</select></fieldset>
<fieldset><legend>Pendidikan terakhir (tidak wajib)</legend>${err('education')}<select name="education">${options(
      Object.entries(EDUCATION_LEVELS),
      values.education,
    )}</select></fieldset>
${sections.join('\n')}
<div class="hp" aria-hidden="true"><label>Jangan diisi <input type="text" name="website" tabindex="-1" autocomplete="off"></label></div>
<button type="submit">Kirim jawaban</button>
</form>
</main>`,
  )
}

export function thanksPage(unitName: string): string {
  return page(
    'Terima kasih',
    `<header><h1>Terima kasih</h1><p>${esc(unitName)}</p></header>
<main><p role="status">Jawaban Anda sudah kami terima. Jawaban yang sudah dikirim tidak dapat diubah.</p>
<p class="note">Anda dapat menutup halaman ini.</p></main>`,
  )
}

export function messagePage(title: string, message: string): string {
  return page(title, `<header><h1>${esc(title)}</h1></header><main><p role="alert">${esc(message)}</p></main>`)
}
