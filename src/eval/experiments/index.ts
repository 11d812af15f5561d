export { GridSchema, MethodSchema, GRIDS, METHOD_KINDS, resolveGrid } from './grid';
export type { Grid, Method, MethodKind } from './grid';
export { runExperiment, pickCharacters } from './runner';
export type { ExperimentOptions } from './runner';
export { aggregate, markdownTable, markdownReport, goodness, RESULTS_FORMAT } from './results';
export type { CellResult, ExperimentResults, Summary } from './results';
