import { Type } from 'typebox'
import { StringEnum } from '../../lib/schema.js'
import { WORKBOOK_LAYOUTS } from './imports.js'
import { CSV_SHAPES } from './service.js'
import { PlanSheetParam } from './plan-sheet.js'
import { AreaCode, ReviewWriteView } from '../review/schemas.js'

import { DryRunQuery, StageKind, WriteReport } from '../assessments/schemas.js'

export { IfMatchHeaders, StageParams } from '../assessments/schemas.js'

export const PeriodParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false })

export const CsvQuery = Type.Object(
  {
    shape: Type.Optional(
      StringEnum(CSV_SHAPES, {
        default: 'answers',
        description:
          'answers: one record per unit × stage × question (value, converted value, note, stage total); totals: one record per unit × stage (total, max, predicate, unanswered)',
      }),
    ),
  },
  { additionalProperties: false },
)

/** The multipart form, for the documentation (the handler reads the stream itself). */
export const ImportForm = Type.Object(
  {
    file: Type.String({
      format: 'binary',
      description: 'the filled LKE ZI workbook (.xlsx), e.g. one exported by GET …/lke.xlsx',
    }),
  },
  { additionalProperties: false },
)

export const ExportQuery = Type.Object(
  {
    layout: Type.Optional(
      StringEnum(['generated', 'official'] as const, {
        default: 'generated',
        description:
          'generated (default): the workbook generated from the assessment’s instrument version, for any version, with formulas giving the API’s score and the predicate rules; official: the official Pemda LKE ZI form, only for a version it embodies (LKE-ZI-2026 or an unchanged copy), else 409 workbook_not_available',
      }),
    ),
    ...PlanSheetParam,
  },
  { additionalProperties: false },
)

export const ImportQuery = Type.Object(
  {
    ...DryRunQuery.properties,
    identity: Type.Optional(
      StringEnum(['check', 'override'] as const, {
        default: 'check',
        description:
          'check (default): refuse (409 workbook_identity_mismatch) a file exported for another unit, period or stage; override: import it here anyway (recorded in the audit record with what the file claimed)',
      }),
    ),
  },
  { additionalProperties: false },
)

const WorkbookIdentity = Type.Object({
  unit_code: Type.Union([Type.String(), Type.Null()]),
  period_code: Type.Union([Type.String(), Type.Null()]),
  stage: Type.Union([StageKind, Type.Null()]),
  assessment_id: Type.Union([Type.String(), Type.Null()]),
})

export const ImportResult = Type.Object({
  stage: Type.Ref('Stage'),
  layout: StringEnum(WORKBOOK_LAYOUTS, {
    description:
      'the layout the file was read as: generated (sheet "LKE"), official (sheet "LKE ZI") or portalrb (the master soal’s cell map)',
  }),
  evidence_created: Type.Integer({
    description:
      'link evidence items created for links in the evidence cells that the unit did not have yet (in a dry run: that would be created)',
  }),
  read: Type.Integer({ description: 'questions read from the workbook' }),
  answers: Type.Array(Type.Ref('Answer'), { description: 'the answers written (none in a dry run)' }),
  ...WriteReport,
  identity: Type.Union(
    [
      Type.Object({
        file: WorkbookIdentity,
        mismatch: Type.Array(StringEnum(['unit', 'period', 'stage', 'assessment'] as const)),
        override: Type.Boolean({ description: 'true: the file is another’s and identity=override imported it' }),
      }),
      Type.Null(),
    ],
    { description: 'the unit, period and stage the file names (null: it names none, e.g. the blank official form)' },
  ),
  review: Type.Union(
    [
      Type.Object({
        changed: Type.Array(AreaCode, { description: 'the areas written (in a dry run: that would be written)' }),
        diff: ReviewWriteView.properties.diff,
      }),
      Type.Null(),
    ],
    {
      description:
        'a tpi stage’s per-area review as the file carried it (sheet "Utama" of the official form, "Kesimpulan TPI" of the generated layout); null when the stage is not tpi or the file has no such sheet (docs/workbook.md, TPI review)',
    },
  ),
})

export const XlsxResponse = {
  description: 'the LKE ZI workbook (.xlsx) with the stage’s answers',
  content: {
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: Type.String({ format: 'binary' }) },
  },
}

export const CsvResponse = {
  description: 'RFC 4180 CSV (UTF-8, CRLF, header record first), streamed',
  content: { 'text/csv': { schema: Type.String() } },
}
