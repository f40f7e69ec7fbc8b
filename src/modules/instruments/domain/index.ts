/**
 * The instrument domain: pure functions over plain data (no Fastify, no database).
 * types.ts (model) · import.ts (master soal + overlay) · validate.ts (definition, answers) ·
 * formula.ts (ratio grammar) · scoring.ts (the workbook's formulas) · eligibility.ts · diff.ts
 */
export * from './types.js'
export {
  importMasterSoal,
  overlayFromDefinition,
  answerTypeOf,
  type InstrumentOverlay,
  type OverlayQuestion,
} from './import.js'
export { validateInstrument, validateAnswers, CODE_PATTERN, weightsEqual } from './validate.js'
export { scoreInstrument } from './scoring.js'
export { evaluateEligibility, ELIGIBILITY_TOLERANCE } from './eligibility.js'
export { diffInstruments } from './diff.js'
export {
  parseFormula,
  evaluateFormula,
  referencedCodes,
  FormulaSyntaxError,
  FormulaEvaluationError,
  FORMULA_FUNCTIONS,
  MAX_FORMULA_LENGTH,
  type Ast,
  type BinaryOp,
  type FunctionName,
  type FormulaValues,
} from './formula.js'
export {
  planImprovement,
  defaultFixedQuestions,
  rulesOfTarget,
  PlannerError,
  PLAN_TARGETS,
  MAX_QUESTION_COST,
  type PlanOptions,
  type PlanResult,
  type PlanStep,
  type PlanTarget,
  type RuleGap,
} from './planner.js'
export { carryOverlay, applyNodeChanges, changePointers, type NodeChangeInput, type NodeChangeError } from './edit.js'
export {
  indexTree,
  ancestorsOf,
  sealDefinition,
  combineRuleOf,
  checkAnswer,
  isScored,
  isComputed,
  type TreeIndex,
  type AnswerCheck,
} from './tree.js'
export { AREA_CODES, AREA_NAMES, areaOf, areaOfAreaNode, type AreaCode } from './areas.js'
