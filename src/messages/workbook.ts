import type { Catalogue } from './catalogue.js'

/** Messages of the workbook module. */
export default {
  en: {
    workbook_identity_mismatch:
      'The workbook was exported for {{file}}, but this import is into {{target}}; nothing was written. Import it into its own assessment and stage, or send identity=override to import it here on purpose (the override is recorded in the audit log).',
    memory_bound: 'reading it needed more than the {{value}} MB a workbook import may use (IMPORT_WORKER_MEMORY_MB)',
    import_timeout:
      'Reading the workbook took longer than {{value}} ms (IMPORT_TIMEOUT_MS); nothing was written. Try again shortly.',
    workbook_not_available:
      "The official LKE workbook fits the instrument {{instrument}}; this assessment is scored with {{code}}, whose questions, weights or formulas differ, so the workbook's formulas would not give its score.",
    workbook_too_large: 'The workbook is too large once unpacked: {{message}}.',
    workbook_cells_invalid_one:
      '{{count}} cell is not valid; nothing was written. See cells (sheet, cell, value, rule).',
    workbook_cells_invalid_other:
      '{{count}} cells are not valid; nothing was written. See cells (sheet, cell, value, rule).',
    not_an_lke_workbook:
      'The workbook has none of the LKE layouts (it has {{have}}): a sheet "{{GENERATED_SHEET}}" as GET …/lke.xlsx generates it, the official form\'s "{{sheet}}"{{portal}}.',
    portal_layout: ', or the PortalRB layout\'s "{{sheet}}"',
    not_an_lke_workbook_2: 'The file is not an .xlsx workbook: {{message}}.',
    workbook_too_large_2:
      'The workbook is beyond what an LKE workbook needs: {{message}} (bound {{bound}}: {{limit}}); nothing was read.',
    layout_not_for_stage:
      'The PortalRB layout has columns for the unit (self) and the TPI only, not for the {{kind}} stage; import the generated workbook instead.',
    not_an_lke_workbook_3:
      '{{code}} has no question with a PortalRB cell map (excel_sheet, excel_baris, excel_kolom_*) for the {{kind}} stage; import the generated workbook instead.',
    file_too_large: 'The workbook is larger than {{maxBytes}} bytes (WORKBOOK_MAX_BYTES).',
    too_many_parts: 'The form has too many parts: send one file in the field "file".',
    unsupported_media_type: 'Send the workbook as multipart/form-data with the file in the field "file".',
    malformed_body: 'The multipart form is not valid.',
    validation_failed: 'The form has a part "{{fieldname}}"; send only the workbook, in the field "file".',
    validation_failed_2: 'The request is not valid: /body/file is required.',
    rules: {
      rule: 'holds the text {{text}}; a {{answerType}} answer is a number typed as a number',
      rule_2: 'holds the logical value {{value}}',
      rule_3: 'holds a date ({{date}}); the spreadsheet turned what was typed into a date',
      rule_4: 'shows an error ({{error}})',
      rule_5: 'holds a formula without a value',
      rule_6: 'a note has at most {{MAX_NOTE_LENGTH}} characters, this one {{textCount}}',
    },
    field: {
      maxSize: 'the file is too large',
      additionalProperties: 'is not a known field',
      required: 'is required',
      additionalProperties_2: 'is not a known parameter',
      enum: 'must be one of: {{allowed}}',
      rule: '{{cell}}: {{message}}',
      rule_2: '{{sheet}}!{{cell}}: {{message}}',
      lke_workbook: 'no LKE sheet',
      layout_not_for_stage: 'no {{kind}} columns in the PortalRB layout',
      rule_3: 'an entry has at most {{MAX_EVIDENCE_TOKEN}} characters, this one {{textCount}}',
      rule_4: '"{{text}}" is not an http(s) link with a host; evidence links must be http or https',
      rule_5: 'the archive has no readable xl/workbook.xml',
      rule_6: 'the ZIP entry {{name}} uses compression method {{method}}',
      rule_7: 'the ZIP entry {{name}} cannot be unpacked',
    },
    cells: {
      choices_changed:
        'the Pilihan Jawaban of {{code}} is "{{choices}}"; with another text the workbook\'s Nilai formula scores it differently',
      formula_replaced: "must keep the workbook's formula ({{formula}}); the score is computed from those counts",
      formula_ratio: 'a ratio computed from the counts below it',
      formula_sum: 'the sum of the counts below it',
      evidence_not_text: 'an evidence cell holds links or file names, one per line',
      code_missing: 'row {{r}} has an answer, note or evidence but no question code in column {{code}}',
      unknown_question: '{{code}} is not a question of {{code2}}; export the workbook again for this version',
      duplicate_question: '{{code}} is also in row {{row}}',
      choices_changed_2: 'the Pilihan Jawaban of {{code}} is "{{want}}"; the row\'s formulas score that type',
      formula_replaced_2: '{{code}} is computed by its formula ({{formula}}); answer its inputs instead',
      question_missing: 'no row for question {{code}} of {{code2}}; export the workbook again for this version',
      sheet_missing: 'the workbook has no sheet "{{sheet}}" for {{code}}',
    },
    not_workbook: {
      message: 'The file is not an .xlsx workbook: {{message}}.',
      message_2: 'The file is a ZIP archive but not an .xlsx workbook exceljs can read.',
      message_3:
        'The workbook has no sheet "{{sheet}}" (it has {{sheets}}); upload the official LKE ZI workbook, e.g. one exported by GET …/lke.xlsx.',
      message_4:
        'Sheet "{{sheet}}" does not have the LKE ZI layout: {{answer}}{{headerRow}} should say "Jawaban" and column {{choices}} the Pilihan Jawaban of each question ({{choicesWrongCount}} of {{questionsCount}} differ).',
    },
    evidence: {
      evidence_not_found: 'no evidence item {{id}} of this unit or its parents',
      evidence_not_allowed:
        'the unit has no link item with this URL, and your role cannot add evidence: the unit adds it (POST /v1/evidence/links), or name an item it has',
      evidence_not_found_2:
        '"{{name}}" is neither an http(s) link nor the file name of an evidence item of this unit or its parents; upload it first (POST /v1/evidence/files) or give its link',
    },
    bound: {
      entries: 'the archive has more than {{entries}} entries',
      sheets: 'the workbook has {{sheetsCount}} sheets; at most {{sheets}} are read',
      unpacked_bytes: 'the archive unpacks to more than {{unpacked_bytes}} bytes',
      rows_per_sheet: 'sheet "{{sheet}}" has more than {{rows_per_sheet}} rows (an LKE sheet has a few hundred)',
      cells: 'the sheets have more than {{cells}} cells (an LKE workbook has a few thousand)',
      shared_strings:
        'the workbook has more than {{shared_strings}} shared strings (an LKE workbook has under a thousand)',
    },
  },
  id: {
    workbook_identity_mismatch:
      'Workbook ini diekspor untuk {{file}}, tetapi impor ini ditujukan ke {{target}}; tidak ada yang ditulis. Impor ke penilaian dan tahapnya sendiri, atau kirim identity=override untuk sengaja mengimpornya di sini (override dicatat dalam log audit).',
    memory_bound:
      'membacanya memerlukan lebih dari {{value}} MB yang boleh dipakai satu impor workbook (IMPORT_WORKER_MEMORY_MB)',
    import_timeout:
      'Membaca workbook memakan waktu lebih dari {{value}} ms (IMPORT_TIMEOUT_MS); tidak ada yang ditulis. Coba lagi sebentar lagi.',
    workbook_not_available:
      'Workbook LKE resmi sesuai dengan instrumen {{instrument}}; penilaian ini dinilai dengan {{code}}, yang pertanyaan, bobot, atau rumusnya berbeda, sehingga rumus workbook tidak akan menghasilkan nilainya.',
    workbook_too_large: 'Workbook terlalu besar setelah diekstrak: {{message}}.',
    workbook_cells_invalid_one:
      '{{count}} sel tidak valid; tidak ada yang ditulis. Lihat cells (sheet, cell, value, rule).',
    workbook_cells_invalid_other:
      '{{count}} sel tidak valid; tidak ada yang ditulis. Lihat cells (sheet, cell, value, rule).',
    not_an_lke_workbook:
      'Workbook ini tidak memiliki satu pun tata letak LKE (yang ada: {{have}}): lembar "{{GENERATED_SHEET}}" seperti yang dibuat GET …/lke.xlsx, lembar "{{sheet}}" formulir resmi{{portal}}.',
    portal_layout: ', atau lembar "{{sheet}}" tata letak PortalRB',
    not_an_lke_workbook_2: 'Berkas bukan workbook .xlsx: {{message}}.',
    workbook_too_large_2:
      'Workbook melampaui kebutuhan workbook LKE: {{message}} (batas {{bound}}: {{limit}}); tidak ada yang dibaca.',
    layout_not_for_stage:
      'Tata letak PortalRB hanya memiliki kolom untuk unit (self) dan TPI, bukan untuk tahap {{kind}}; impor workbook yang dibuat sistem.',
    not_an_lke_workbook_3:
      '{{code}} tidak memiliki pertanyaan dengan peta sel PortalRB (excel_sheet, excel_baris, excel_kolom_*) untuk tahap {{kind}}; impor workbook yang dibuat sistem.',
    file_too_large: 'Workbook lebih besar dari {{maxBytes}} byte (WORKBOOK_MAX_BYTES).',
    too_many_parts: 'Formulir memiliki terlalu banyak bagian: kirim satu berkas pada isian "file".',
    unsupported_media_type: 'Kirim workbook sebagai multipart/form-data dengan berkas pada isian "file".',
    malformed_body: 'Formulir multipart tidak valid.',
    validation_failed: 'Formulir memiliki bagian "{{fieldname}}"; kirim hanya workbook, pada isian "file".',
    validation_failed_2: 'Permintaan tidak valid: /body/file wajib diisi.',
    rules: {
      rule: 'berisi teks {{text}}; jawaban {{answerType}} adalah angka yang diketik sebagai angka',
      rule_2: 'berisi nilai logika {{value}}',
      rule_3: 'berisi tanggal ({{date}}); spreadsheet mengubah ketikan menjadi tanggal',
      rule_4: 'menampilkan galat ({{error}})',
      rule_5: 'berisi rumus tanpa nilai',
      rule_6: 'catatan paling banyak {{MAX_NOTE_LENGTH}} karakter, yang ini {{textCount}}',
    },
    field: {
      maxSize: 'berkas terlalu besar',
      additionalProperties: 'bukan isian yang dikenal',
      required: 'wajib diisi',
      additionalProperties_2: 'bukan parameter yang dikenal',
      enum: 'harus salah satu dari: {{allowed}}',
      rule: '{{cell}}: {{message}}',
      rule_2: '{{sheet}}!{{cell}}: {{message}}',
      lke_workbook: 'tidak ada lembar LKE',
      layout_not_for_stage: 'tidak ada kolom {{kind}} pada tata letak PortalRB',
      rule_3: 'satu entri paling banyak {{MAX_EVIDENCE_TOKEN}} karakter, yang ini {{textCount}}',
      rule_4: '"{{text}}" bukan tautan http(s) dengan host; tautan data dukung harus http atau https',
      rule_5: 'arsip tidak memiliki xl/workbook.xml yang dapat dibaca',
      rule_6: 'entri ZIP {{name}} memakai metode kompresi {{method}}',
      rule_7: 'entri ZIP {{name}} tidak dapat diekstrak',
    },
    cells: {
      choices_changed:
        'Pilihan Jawaban {{code}} adalah "{{choices}}"; dengan teks lain rumus Nilai workbook menilainya berbeda',
      formula_replaced:
        'harus mempertahankan rumus workbook ({{formula}}); nilainya dihitung dari jumlah-jumlah tersebut',
      formula_ratio: 'rasio yang dihitung dari jumlah di bawahnya',
      formula_sum: 'jumlah dari angka di bawahnya',
      evidence_not_text: 'sel data dukung berisi tautan atau nama berkas, satu per baris',
      code_missing:
        'baris {{r}} berisi jawaban, catatan, atau data dukung tetapi tanpa kode pertanyaan di kolom {{code}}',
      unknown_question: '{{code}} bukan pertanyaan {{code2}}; ekspor lagi workbook untuk versi ini',
      duplicate_question: '{{code}} juga ada pada baris {{row}}',
      choices_changed_2: 'Pilihan Jawaban {{code}} adalah "{{want}}"; rumus baris ini menilai tipe itu',
      formula_replaced_2: '{{code}} dihitung oleh rumusnya ({{formula}}); jawablah masukannya',
      question_missing:
        'tidak ada baris untuk pertanyaan {{code}} dari {{code2}}; ekspor lagi workbook untuk versi ini',
      sheet_missing: 'workbook tidak memiliki lembar "{{sheet}}" untuk {{code}}',
    },
    not_workbook: {
      message: 'Berkas bukan workbook .xlsx: {{message}}.',
      message_2: 'Berkas berupa arsip ZIP tetapi bukan workbook .xlsx yang dapat dibaca exceljs.',
      message_3:
        'Workbook tidak memiliki lembar "{{sheet}}" (yang ada: {{sheets}}); unggah workbook LKE ZI resmi, mis. yang diekspor oleh GET …/lke.xlsx.',
      message_4:
        'Lembar "{{sheet}}" tidak bertata letak LKE ZI: {{answer}}{{headerRow}} seharusnya bertuliskan "Jawaban" dan kolom {{choices}} berisi Pilihan Jawaban tiap pertanyaan ({{choicesWrongCount}} dari {{questionsCount}} berbeda).',
    },
    evidence: {
      evidence_not_found: 'tidak ada butir data dukung {{id}} milik unit ini atau induknya',
      evidence_not_allowed:
        'unit ini tidak memiliki butir tautan dengan URL ini, dan peran Anda tidak dapat menambah data dukung: unit yang menambahkannya (POST /v1/evidence/links), atau sebut butir yang sudah dimilikinya',
      evidence_not_found_2:
        '"{{name}}" bukan tautan http(s) maupun nama berkas butir data dukung milik unit ini atau induknya; unggah dulu (POST /v1/evidence/files) atau berikan tautannya',
    },
    bound: {
      entries: 'arsip berisi lebih dari {{entries}} entri',
      sheets: 'workbook berisi {{sheetsCount}} lembar; paling banyak {{sheets}} yang dibaca',
      unpacked_bytes: 'arsip terekstrak menjadi lebih dari {{unpacked_bytes}} byte',
      rows_per_sheet:
        'lembar "{{sheet}}" berisi lebih dari {{rows_per_sheet}} baris (lembar LKE berisi beberapa ratus)',
      cells: 'lembar-lembar berisi lebih dari {{cells}} sel (workbook LKE berisi beberapa ribu)',
      shared_strings:
        'workbook berisi lebih dari {{shared_strings}} shared string (workbook LKE berisi kurang dari seribu)',
    },
  },
} satisfies Catalogue
