/**
 * Plotting and display helpers for the notebooks (fastai-style one-liners):
 *
 *   import * as cmrp from 'cmrp-lab';
 *   cmrp.viz.showFigure(cmrp.viz.lineFigure({ train: loss, val: valLoss }, { title: 'Loss', xLabel: 'step' }));
 *   cmrp.viz.showTable(rows, { caption: 'Table 2', digits: 3 });
 *   cmrp.viz.showImage(await cmrp.viz.imageGrid(samples, { columns: 8 }));
 *   cmrp.viz.exportFigure(fig, 'loss-curve');   // figures/loss-curve.html, self-contained
 */
export * from './figure';
export * from './plotly-html';
export * from './show';
export * from './export';
export * from './table';
export * from './gallery';
export * from './live';
export * from './live-training';
export * from './dialogue';
export * from './reference-gallery';
export * from './dataset-figures';
export * from './training-figures';
export * from './image-figures';
export * from './grpo-figures';
export * from './experiment-figures';
export * from './frames';
export * from './progress';
