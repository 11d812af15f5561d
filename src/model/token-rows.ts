/**
 * A padded batch of B rows of T tokens as flat row-major arrays ([B, T]): what the model reads in
 * a training step or a log-prob pass (tensors are made inside it). Plain arrays, so a shard of it
 * crosses to the worker threads (parallel/shard.ts's ShardData adds each row's task).
 */
export interface TokenRows {
  B: number;
  T: number;
  /** Input ids: the sequence without its last token. */
  ids: Int32Array;
  /** Next-token targets. */
  targets: Int32Array;
  /** 1 where the target counts in the loss. */
  mask: Float32Array;
  /** 0 text / 1 image code, of each input token (routes the MoT experts). */
  modality: Int32Array;
}
