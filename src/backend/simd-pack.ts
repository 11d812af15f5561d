/**
 * Operand packing for the GEMM of simd-gemm.ts, in WebAssembly SIMD (simd-asm.ts): A blocks into
 * groups of MRP rows (packA, inlined into gemm, on its locals) and B into panels of 8 columns
 * (pack_b, its own function: gemm calls it per k block, attention once per head). Row-major A and
 * a transposed B go through 4 x 4 shuffle transposes, 4 k at a time. Copies only: packing never
 * changes a product's bits.
 */
import { Fn, I32, Module, V128 } from './simd-asm';

/**
 * Rows of C per packed microkernel call: 6 rows x 8 columns are 12 accumulators, 15 of V8's 16
 * xmm registers with the 2 of B and the broadcast of A (4 rows' 8 chains of 4-cycle madds leave
 * the two FMA pipes no slack).
 */
export const MRP = 6;

export type PackBFn = (b: number, ldb: number, tb: number, n8: number, k: number, dst: number, prow: number) => void;

/**
 * Copy the A block (rows i0..i0+mc, k0..k0+kc) into pa (emitted into gemm's body, on its locals) as groups of MRP rows, each k-major
 * (A(i0 + MRP g + r, k0 + kk) at pa + 4 (kc MRP g + MRP kk + r)): the packed microkernel then
 * reads MRP contiguous floats per k from one pointer. Rows past mc in the last group are not written.
 */
export function packA(f: Fn): void {
  f.i32(0).set('g'); // row within the block
  f.get('pa').set('dst');
  // MRP floats of k step kk: rows g..g+MRP-1 from src (+ r ars), or fewer at the block's end
  const copyRow = (r: number, off: number) => {
    f.get('dst').get('src');
    if (r > 0) f.get('ars').i32(r).mul().add();
    f.f32Load().f32Store(off);
  };
  const overK = (body: () => void) =>
    f.block(() =>
      f.loop(() => {
        f.get('kk').i32(0).leS().brIf(1);
        body();
        f.inc('src', 'aks');
        f.inc('dst', 4 * MRP);
        f.inc('kk', -1);
        f.br(0);
      }),
    );
  f.block(() =>
    f.loop(() => {
      f.get('g').get('mc').geS().brIf(1);
      f.get('a').get('i0').get('g').add().get('ars').mul().add().get('k0').get('aks').mul().add().set('src');
      f.get('kc').set('kk');
      f.get('mc').get('g').sub().i32(MRP).geS().if(
        () =>
          f.get('ars').i32(4).eq().if(
            // MRP adjacent floats per k (a transposed A): one v128 and the rest
            () =>
              overK(() => {
                f.get('dst').get('src').v128Load(0).v128Store(0);
                for (let r = 4; r < MRP; r++) f.get('dst').get('src').f32Load(4 * r).f32Store(4 * r);
              }),
            // MRP rows ars apart: with k contiguous (a row-major A) 4 k at a time through registers, then one k at a time
            () => {
              f.get('aks').i32(4).eq().if(() => packRows4k(f));
              overK(() => { for (let r = 0; r < MRP; r++) copyRow(r, 4 * r); });
            },
          ),
        () =>
          overK(() => {
            for (let r = 0; r < MRP; r++) f.get('mc').get('g').sub().i32(r).gtS().if(() => copyRow(r, 4 * r)); // row g + r exists?
          }),
      );
      f.inc('g', MRP);
      f.br(0);
    }),
  );
}

/**
 * pack_b(b, ldb, tb, n8, k, dst, prow): B's first n8 columns (a multiple of 8) and k rows as
 * panels of 8 columns, panel p at dst + 32 prow p, row kk of it at +32 kk; B rows at b + kk*ldb,
 * or with tb B given transposed (B[kk, j] at b + j*ldb + 4 kk). gemm packs each k block with it
 * (prow = the block's rows); attention packs a head's operand once for all its row blocks.
 */
export function packB(m: Module): void {
  const f = m.fn('pack_b', ['b', 'ldb', 'tb', 'n8', 'k', 'dst', 'prow'].map((n) => [n, I32] as [string, typeof I32]));
  for (const n of ['j', 'src', 'kk', 'pd']) f.local(n, I32);
  for (const n of ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 't0', 't1', 't2', 't3']) f.local(n, V128);
  f.get('dst').set('pd');
  f.i32(0).set('j');
  f.block(() =>
    f.loop(() => {
      f.get('j').get('n8').geS().brIf(1);
      f.get('pd').set('dst');
      f.get('k').set('kk');
      f.get('tb').if(
        () => {
          // the panel's 8 columns are 8 rows of B^T
          f.get('b').get('j').get('ldb').mul().add().set('src');
          packTransposedPanel(f);
        },
        () => {
          f.get('b').get('j').i32(4).mul().add().set('src');
          whileAbove0(f, () => {
            f.get('dst').get('src').v128Load(0).v128Store(0);
            f.get('dst').get('src').v128Load(16).v128Store(16);
            f.inc('src', 'ldb');
            f.inc('dst', 32);
          });
        },
      );
      f.get('pd').get('prow').i32(32).mul().add().set('pd');
      f.inc('j', 8);
      f.br(0);
    }),
  );
}

/**
 * The 4 x 4 transpose of the f32x4 locals q (row r = q[r], 4 columns): `emit(k, push)` for each
 * column k, where push() pushes (q0[k], q1[k], q2[k], q3[k]). 8 shuffles; uses locals t0-t3.
 */
function transpose4(f: Fn, q: string[], emit: (k: number, push: () => void) => void): void {
  f.get(q[0]).get(q[1]).f32x4Shuffle([0, 4, 1, 5]).set('t0'); // (q0[0], q1[0], q0[1], q1[1])
  f.get(q[2]).get(q[3]).f32x4Shuffle([0, 4, 1, 5]).set('t1');
  f.get(q[0]).get(q[1]).f32x4Shuffle([2, 6, 3, 7]).set('t2'); // (q0[2], q1[2], q0[3], q1[3])
  f.get(q[2]).get(q[3]).f32x4Shuffle([2, 6, 3, 7]).set('t3');
  emit(0, () => f.get('t0').get('t1').f32x4Shuffle([0, 1, 4, 5]));
  emit(1, () => f.get('t0').get('t1').f32x4Shuffle([2, 3, 6, 7]));
  emit(2, () => f.get('t2').get('t3').f32x4Shuffle([0, 1, 4, 5]));
  emit(3, () => f.get('t2').get('t3').f32x4Shuffle([2, 3, 6, 7]));
}

/**
 * One packed panel of B from B^T: 8 rows of B^T from src (ldb apart), kk = kc values each, to dst
 * as kc rows of 8 floats (32 bytes); 4 k per iteration through two 4 x 4 transposes, then one k
 * at a time. Advances dst past the panel.
 */
function packTransposedPanel(f: Fn): void {
  const q = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => `q${r}`);
  const rowAt = (r: number) => {
    f.get('src');
    if (r > 0) f.get('ldb').i32(r).mul().add();
  };
  f.block(() =>
    f.loop(() => {
      f.get('kk').i32(4).ltS().brIf(1);
      q.forEach((x, r) => {
        rowAt(r);
        f.v128Load().set(x);
      });
      transpose4(f, q.slice(0, 4), (k, push) => f.get('dst').seq(push).v128Store(32 * k));
      transpose4(f, q.slice(4), (k, push) => f.get('dst').seq(push).v128Store(32 * k + 16));
      f.inc('src', 16);
      f.inc('dst', 128);
      f.inc('kk', -4);
      f.br(0);
    }),
  );
  whileAbove0(f, () => {
    for (let r = 0; r < 8; r++) {
      f.get('dst');
      rowAt(r);
      f.f32Load().f32Store(4 * r);
    }
    f.inc('src', 4);
    f.inc('dst', 32);
  });
}

/** `while (kk > 0) { body(); kk-- }`. */
function whileAbove0(f: Fn, body: () => void): void {
  f.block(() =>
    f.loop(() => {
      f.get('kk').i32(0).leS().brIf(1);
      body();
      f.inc('kk', -1);
      f.br(0);
    }),
  );
}

/**
 * packA's inner loop for MRP (6) rows of a row-major A, 4 k per iteration while kk >= 4: a v128 of
 * 4 k from each row, rows 0-3 transposed 4 x 4 by shuffles (one v128 per k), rows 4-5 interleaved
 * (8 bytes per k). Advances src, dst and kk like the one-k loop, which does the rest.
 */
function packRows4k(f: Fn): void {
  if (MRP !== 6) throw new Error(`packRows4k is written for 6-row groups, not ${MRP}`);
  const q = [0, 1, 2, 3, 4, 5].map((r) => `q${r}`);
  f.block(() =>
    f.loop(() => {
      f.get('kk').i32(4).ltS().brIf(1);
      q.forEach((x, r) => {
        f.get('src');
        if (r > 0) f.get('ars').i32(r).mul().add();
        f.v128Load().set(x);
      });
      transpose4(f, q.slice(0, 4), (k, push) => f.get('dst').seq(push).v128Store(24 * k));
      // rows 4, 5: (r4[k], r5[k]) pairs, 8 bytes at +16 of each k
      f.get(q[4]).get(q[5]).f32x4Shuffle([0, 4, 1, 5]).set('t0');
      f.get(q[4]).get(q[5]).f32x4Shuffle([2, 6, 3, 7]).set('t1');
      f.get('dst').get('t0').v128Store64Lane(16, 0);
      f.get('dst').get('t0').v128Store64Lane(40, 1);
      f.get('dst').get('t1').v128Store64Lane(64, 0);
      f.get('dst').get('t1').v128Store64Lane(88, 1);
      f.inc('src', 16);
      f.inc('dst', 96);
      f.inc('kk', -4);
      f.br(0);
    }),
  );
}
