/** RoleScape-20 format layer: schemas, the typed Character, the loader and the validator. */
export * from './types';
export * from './schemas';
export { type DataIssue, type Severity, IssueCollector, formatIssue, formatPath } from './issues';
export { checkPng, checkPngHeader, type PngCheck } from './png';
export { listCharacters, discoverLayout, type CharacterLayout } from './layout';
export { loadRoleScape, loadCharacter, type LoadOptions, type LoadResult } from './load';
export {
  validateRoleScape,
  formatValidationReport,
  formatTable,
  type ValidationResult,
  type ValidationRow,
  type ReportOptions,
} from './validate';
export { findCharacter, characterIssues, gateCharacter, loadCheckedCharacter, type GateOptions } from './gate';
