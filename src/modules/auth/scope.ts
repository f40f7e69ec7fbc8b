// A principal's unit scope is a question about the unit tree: it lives in the units module
// (src/modules/units/scope.ts), so units never import auth. Re-exported for the modules that
// check scope beside authentication.
export { isUnitInScope, unitScopeCondition } from '../units/scope.js'
