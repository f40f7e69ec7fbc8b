import { Type } from 'typebox'
import { StringEnum } from '../../lib/schema.js'
import { AREA_CODES } from '../instruments/domain/areas.js'
import { MAX_CONCLUSION, MAX_RECOMMENDATION, MAX_RECOMMENDATIONS } from './rules.js'

const DateTime = Type.String({ format: 'date-time' })
export const AreaCode = StringEnum(AREA_CODES, {
  description:
    'an area perubahan of Lampiran I (Tahap pembangunan), in the regulation’s order: ' + AREA_CODES.join(', '),
})

const Conclusion = Type.Union([Type.String({ maxLength: MAX_CONCLUSION }), Type.Null()], {
  description: 'the TPI’s conclusion on the area (kesimpulan); null or "" clears it',
})
const Recommendations = Type.Array(Type.String({ maxLength: MAX_RECOMMENDATION }), {
  maxItems: MAX_RECOMMENDATIONS,
  description: 'the TPI’s recommendations for the area, in order; blank entries are dropped, [] clears them',
})

export const ReviewBody = Type.Object(
  {
    areas: Type.Array(
      Type.Object(
        {
          area: AreaCode,
          conclusion: Type.Optional(Conclusion),
          recommendations: Type.Optional(Recommendations),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: AREA_CODES.length, description: 'the areas to write; areas left out keep theirs' },
    ),
  },
  { additionalProperties: false },
)

export const ReviewQuery = Type.Object(
  {
    dry_run: Type.Optional(
      Type.Boolean({ default: false, description: 'check everything and return the diff without writing' }),
    ),
  },
  { additionalProperties: false },
)

const AreaContent = Type.Object({
  conclusion: Type.Union([Type.String(), Type.Null()]),
  recommendations: Type.Array(Type.String()),
})

export const AreaReviewView = Type.Object({
  area: AreaCode,
  name: Type.String({ description: 'the area’s name in the regulation' }),
  conclusion: Type.Union([Type.String(), Type.Null()]),
  recommendations: Type.Array(Type.String()),
  version: Type.Integer({ description: '0 until the area is first written' }),
  updated_at: Type.Union([DateTime, Type.Null()]),
  updated_by: Type.Union([Type.String(), Type.Null()], { description: 'who last wrote the area (name)' }),
})

export const ReviewView = Type.Object({
  stage: Type.Ref('Stage'),
  version: Type.Integer({ description: 'the review’s ETag is "<version>"; 0 before the first write' }),
  updated_at: Type.Union([DateTime, Type.Null()]),
  updated_by: Type.Union([Type.String(), Type.Null()]),
  areas: Type.Array(AreaReviewView, { description: 'the six areas in the regulation’s order, empty ones included' }),
  questions: Type.Array(
    Type.Object({
      question_code: Type.String(),
      area: Type.Union([AreaCode, Type.Null()], { description: 'null for Hasil’s questions' }),
      note: Type.Union([Type.String(), Type.Null()], { description: 'the TPI’s catatan (the answer’s note)' }),
      recommendation: Type.Union([Type.String(), Type.Null()], { description: 'the TPI’s rekomendasi' }),
    }),
    {
      description:
        'the stage’s answers with a note or a recommendation, in the instrument’s order (written through the answer routes)',
    },
  ),
})

export const ReviewWriteView = Type.Object({
  ...ReviewView.properties,
  dry_run: Type.Boolean(),
  changed: Type.Array(AreaCode, { description: 'the areas written (in a dry run: that would be written)' }),
  diff: Type.Array(Type.Object({ area: AreaCode, from: Type.Union([AreaContent, Type.Null()]), to: AreaContent }), {
    description: 'each area the write changes, from what to what',
  }),
})
