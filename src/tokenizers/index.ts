/**
 * The unified model's tokenizers: byte-level BPE for text (text.ts), a k-means patch codebook for
 * 32x32 images (image.ts), the shared vocabulary layout (vocab.ts), the bundle speaking in
 * vocabulary ids (bundle.ts), tokenizers.json (serialize.ts) and the fit on a synthetic world
 * (fit.ts, `cmrp tokenizers fit`).
 */
export { TextTokenizer, fitTextTokenizer, pretokenize, N_FALLBACK } from './text';
export type { TextTokenizerJson, EncodeStats, FitTextOptions } from './text';
export { ImageTokenizer, fitImageTokenizer, psnr, reconstructionStats, IMAGE_SIZE, CHANNELS, PIXELS } from './image';
export type { ImageTokenizerJson, ImageLike, ReconstructionStats, FitImageOptions } from './image';
export { loadModel32, imageToModelSize, imageToSquare, readImages32, modelImageToPng, loadSynthImages } from './image-io';
export type { SynthImage } from './image-io';
export { Vocab, SPECIAL_TOKENS, SPECIAL_SLOTS, MODALITY_TEXT, MODALITY_IMAGE } from './vocab';
export type { SpecialToken, Modality, VocabJson } from './vocab';
export { Tokenizers } from './bundle';
export { saveTokenizers, loadTokenizers, loadTokenizersWithFit, parseTokenizers, TOKENIZERS_FILE, TOKENIZERS_FORMAT } from './serialize';
export { fitTokenizers, FitOptionsSchema } from './fit';
export type { FitOptions, FitReport, FitResult } from './fit';
export { characterTexts, corpusTexts } from './corpus';
export type { CorpusText, TextSource } from './corpus';
export { kmeans, assignNearest } from './kmeans';
export { utf8Encode, utf8Decode } from './utf8';
