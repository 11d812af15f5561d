export { GridSchema, MethodSchema, GRIDS, METHOD_KINDS, resolveGrid, selectMethods } from './grid';
export type { Grid, Method, MethodKind } from './grid';
export { runExperiment, pickCharacters, comparisonPairs } from './runner';
export type { ExperimentOptions } from './runner';
export { aggregate, markdownTable, markdownReport, goodness, pairedDeltas, pairedMarkdownTable, RESULTS_FORMAT } from './results';
export type { CellResult, ExperimentResults, Summary, PairedDelta } from './results';
export { mergeResults, seedsOf } from './merge';
export { readResults, readCellReport, hasResults, cellFile, cellModelDir, RESULTS_FILE } from './read';
