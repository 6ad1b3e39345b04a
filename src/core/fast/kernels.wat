;; The fast training engine's arithmetic: the notes' forward run, backward run and update for one
;; tile of T examples, in WebAssembly SIMD (128-bit vectors).
;;
;; Written once for both number types and both kinds of multiply-add: the build
;; (scripts/build.mjs) assembles this text four times, replacing {V} by f64x2 or f32x4, {S} by f64
;; or f32, {E}, {2E}, {3E} by 1, 2, 3 times the element size in bytes and {B} by its size in bits
;; (v128.load{B}_splat loads one number into all lanes in a single instruction), and each
;; ({MADD} a b c), a·b + c, by relaxed SIMD's fused multiply-add (one rounding) or by a multiply and
;; an add (two roundings, as the readable path computes it). Only the plain modules' float64
;; results are the readable path's bit for bit; the fused ones agree to 1e-12 (kernelChoice.ts).
;;
;; Layout: every matrix is row-major. A tile holds T examples in columns, T a multiple of 8, so each
;; of its rows is rowB = T·{E} bytes, a whole number of 32-byte steps (two vectors) in either type.
;; Pointers are byte offsets into the imported memory.
;; Over 400 lines: a WebAssembly module is one text; split, it would need a linking step of its own.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Forward step of one layer: O = act(W·X + b), W (nOut × nIn), X (nIn × T), O (nOut × T);
  ;; act = ReLU when $relu, else none (the output layer's Z). Bias and activation are applied in
  ;; registers: each output is written once. Each sum runs over k in order from 0, then + b, as
  ;; matMul and addColumnInPlace do, so that float64 results are the readable path's, bit for bit
  ;; (with separate multiply and add). Blocks of 4 rows × 2 vectors keep 8 accumulators,
  ;; the two vectors of X and one broadcast weight in registers.
  (func (export "dense_fwd")
    (param $W i32) (param $b i32) (param $X i32) (param $O i32)
    (param $nOut i32) (param $nIn i32) (param $T i32) (param $relu i32)
    (local $rowB i32) (local $wRowB i32) (local $i i32) (local $j i32) (local $x i32) (local $kk i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32) (local $o i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local $x0 v128) (local $x1 v128) (local $w v128) (local $zero v128)
    (local.set $rowB (i32.mul (local.get $T) (i32.const {E})))
    (local.set $wRowB (i32.mul (local.get $nIn) (i32.const {E})))
    (local.set $zero ({V}.splat ({S}.const 0)))
    ;; four rows at a time
    (block $rows4done
      (loop $rows4
        (br_if $rows4done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $nOut)))
        (local.set $w0 (i32.add (local.get $W) (i32.mul (local.get $i) (local.get $wRowB))))
        (local.set $w1 (i32.add (local.get $w0) (local.get $wRowB)))
        (local.set $w2 (i32.add (local.get $w1) (local.get $wRowB)))
        (local.set $w3 (i32.add (local.get $w2) (local.get $wRowB)))
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $a00 (local.get $zero)) (local.set $a01 (local.get $zero))
          (local.set $a10 (local.get $zero)) (local.set $a11 (local.get $zero))
          (local.set $a20 (local.get $zero)) (local.set $a21 (local.get $zero))
          (local.set $a30 (local.get $zero)) (local.set $a31 (local.get $zero))
          (local.set $x (i32.add (local.get $X) (local.get $j)))
          (local.set $kk (i32.const 0))
          (loop $k
            (local.set $x0 (v128.load (local.get $x)))
            (local.set $x1 (v128.load offset=16 (local.get $x)))
            (local.set $w (v128.load{B}_splat (i32.add (local.get $w0) (local.get $kk))))
            (local.set $a00 ({MADD} (local.get $w) (local.get $x0) (local.get $a00)))
            (local.set $a01 ({MADD} (local.get $w) (local.get $x1) (local.get $a01)))
            (local.set $w (v128.load{B}_splat (i32.add (local.get $w1) (local.get $kk))))
            (local.set $a10 ({MADD} (local.get $w) (local.get $x0) (local.get $a10)))
            (local.set $a11 ({MADD} (local.get $w) (local.get $x1) (local.get $a11)))
            (local.set $w (v128.load{B}_splat (i32.add (local.get $w2) (local.get $kk))))
            (local.set $a20 ({MADD} (local.get $w) (local.get $x0) (local.get $a20)))
            (local.set $a21 ({MADD} (local.get $w) (local.get $x1) (local.get $a21)))
            (local.set $w (v128.load{B}_splat (i32.add (local.get $w3) (local.get $kk))))
            (local.set $a30 ({MADD} (local.get $w) (local.get $x0) (local.get $a30)))
            (local.set $a31 ({MADD} (local.get $w) (local.get $x1) (local.get $a31)))
            (local.set $x (i32.add (local.get $x) (local.get $rowB)))
            (local.set $kk (i32.add (local.get $kk) (i32.const {E})))
            (br_if $k (i32.lt_u (local.get $kk) (local.get $wRowB))))
          ;; + b after the sum, as the readable path adds it (the same rounding)
          (local.set $w (v128.load{B}_splat (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const {E})))))
          (local.set $a00 ({V}.add (local.get $a00) (local.get $w)))
          (local.set $a01 ({V}.add (local.get $a01) (local.get $w)))
          (local.set $w (v128.load{B}_splat offset={E} (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const {E})))))
          (local.set $a10 ({V}.add (local.get $a10) (local.get $w)))
          (local.set $a11 ({V}.add (local.get $a11) (local.get $w)))
          (local.set $w (v128.load{B}_splat offset={2E} (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const {E})))))
          (local.set $a20 ({V}.add (local.get $a20) (local.get $w)))
          (local.set $a21 ({V}.add (local.get $a21) (local.get $w)))
          (local.set $w (v128.load{B}_splat offset={3E} (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const {E})))))
          (local.set $a30 ({V}.add (local.get $a30) (local.get $w)))
          (local.set $a31 ({V}.add (local.get $a31) (local.get $w)))
          (if (local.get $relu)
            (then
              (local.set $a00 ({V}.pmax (local.get $zero) (local.get $a00)))
              (local.set $a01 ({V}.pmax (local.get $zero) (local.get $a01)))
              (local.set $a10 ({V}.pmax (local.get $zero) (local.get $a10)))
              (local.set $a11 ({V}.pmax (local.get $zero) (local.get $a11)))
              (local.set $a20 ({V}.pmax (local.get $zero) (local.get $a20)))
              (local.set $a21 ({V}.pmax (local.get $zero) (local.get $a21)))
              (local.set $a30 ({V}.pmax (local.get $zero) (local.get $a30)))
              (local.set $a31 ({V}.pmax (local.get $zero) (local.get $a31)))))
          (local.set $o (i32.add (i32.add (local.get $O) (i32.mul (local.get $i) (local.get $rowB))) (local.get $j)))
          (v128.store (local.get $o) (local.get $a00))
          (v128.store offset=16 (local.get $o) (local.get $a01))
          (local.set $o (i32.add (local.get $o) (local.get $rowB)))
          (v128.store (local.get $o) (local.get $a10))
          (v128.store offset=16 (local.get $o) (local.get $a11))
          (local.set $o (i32.add (local.get $o) (local.get $rowB)))
          (v128.store (local.get $o) (local.get $a20))
          (v128.store offset=16 (local.get $o) (local.get $a21))
          (local.set $o (i32.add (local.get $o) (local.get $rowB)))
          (v128.store (local.get $o) (local.get $a30))
          (v128.store offset=16 (local.get $o) (local.get $a31))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $rowB))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows4)))
    ;; the remaining rows one at a time, four vectors wide
    (block $rows1done
      (loop $rows1
        (br_if $rows1done (i32.ge_u (local.get $i) (local.get $nOut)))
        (local.set $w0 (i32.add (local.get $W) (i32.mul (local.get $i) (local.get $wRowB))))
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $a00 (local.get $zero)) (local.set $a01 (local.get $zero))
          (local.set $a10 (local.get $zero)) (local.set $a11 (local.get $zero))
          (local.set $x (i32.add (local.get $X) (local.get $j)))
          (local.set $kk (i32.const 0))
          ;; the last pair of vectors of an odd number of pairs is computed and not stored
          (loop $k
            (local.set $w (v128.load{B}_splat (i32.add (local.get $w0) (local.get $kk))))
            (local.set $a00 ({MADD} (local.get $w) (v128.load (local.get $x)) (local.get $a00)))
            (local.set $a01 ({MADD} (local.get $w) (v128.load offset=16 (local.get $x)) (local.get $a01)))
            (if (i32.lt_u (i32.add (local.get $j) (i32.const 32)) (local.get $rowB))
              (then
                (local.set $a10 ({MADD} (local.get $w) (v128.load offset=32 (local.get $x)) (local.get $a10)))
                (local.set $a11 ({MADD} (local.get $w) (v128.load offset=48 (local.get $x)) (local.get $a11)))))
            (local.set $x (i32.add (local.get $x) (local.get $rowB)))
            (local.set $kk (i32.add (local.get $kk) (i32.const {E})))
            (br_if $k (i32.lt_u (local.get $kk) (local.get $wRowB))))
          (local.set $w (v128.load{B}_splat (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const {E})))))
          (local.set $a00 ({V}.add (local.get $a00) (local.get $w)))
          (local.set $a01 ({V}.add (local.get $a01) (local.get $w)))
          (local.set $a10 ({V}.add (local.get $a10) (local.get $w)))
          (local.set $a11 ({V}.add (local.get $a11) (local.get $w)))
          (if (local.get $relu)
            (then
              (local.set $a00 ({V}.pmax (local.get $zero) (local.get $a00)))
              (local.set $a01 ({V}.pmax (local.get $zero) (local.get $a01)))
              (local.set $a10 ({V}.pmax (local.get $zero) (local.get $a10)))
              (local.set $a11 ({V}.pmax (local.get $zero) (local.get $a11)))))
          (local.set $o (i32.add (i32.add (local.get $O) (i32.mul (local.get $i) (local.get $rowB))) (local.get $j)))
          (v128.store (local.get $o) (local.get $a00))
          (v128.store offset=16 (local.get $o) (local.get $a01))
          (if (i32.lt_u (i32.add (local.get $j) (i32.const 32)) (local.get $rowB))
            (then
              (v128.store offset=32 (local.get $o) (local.get $a10))
              (v128.store offset=48 (local.get $o) (local.get $a11))))
          (local.set $j (i32.add (local.get $j) (i32.const 64)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $rowB))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows1))))

  ;; Backward step through W and ReLU: dZp = (Wᵀ·dZ) * [Ap > 0], W (nOut × nIn), dZ (nOut × T),
  ;; Ap and dZp (nIn × T). Wᵀ is never formed: for 4 rows k of dZp the weights W[i][k..k+3] are
  ;; adjacent. The mask is applied in registers (Ap > 0 exactly where Zp > 0, as Ap = max(Zp, 0)).
  (func (export "dense_bwd_dx")
    (param $W i32) (param $dZ i32) (param $Ap i32) (param $dZp i32)
    (param $nOut i32) (param $nIn i32) (param $T i32)
    (local $rowB i32) (local $wRowB i32) (local $k i32) (local $j i32) (local $d i32) (local $wp i32)
    (local $wEnd i32) (local $o i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local $d0 v128) (local $d1 v128) (local $w v128) (local $zero v128)
    (local.set $rowB (i32.mul (local.get $T) (i32.const {E})))
    (local.set $wRowB (i32.mul (local.get $nIn) (i32.const {E})))
    (local.set $zero ({V}.splat ({S}.const 0)))
    (local.set $wEnd (i32.add (local.get $W) (i32.mul (local.get $nOut) (local.get $wRowB))))
    (block $rows4done
      (loop $rows4
        (br_if $rows4done (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $nIn)))
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $a00 (local.get $zero)) (local.set $a01 (local.get $zero))
          (local.set $a10 (local.get $zero)) (local.set $a11 (local.get $zero))
          (local.set $a20 (local.get $zero)) (local.set $a21 (local.get $zero))
          (local.set $a30 (local.get $zero)) (local.set $a31 (local.get $zero))
          (local.set $d (i32.add (local.get $dZ) (local.get $j)))
          (local.set $wp (i32.add (local.get $W) (i32.mul (local.get $k) (i32.const {E}))))
          (loop $i
            (local.set $d0 (v128.load (local.get $d)))
            (local.set $d1 (v128.load offset=16 (local.get $d)))
            (local.set $w (v128.load{B}_splat (local.get $wp)))
            (local.set $a00 ({MADD} (local.get $w) (local.get $d0) (local.get $a00)))
            (local.set $a01 ({MADD} (local.get $w) (local.get $d1) (local.get $a01)))
            (local.set $w (v128.load{B}_splat offset={E} (local.get $wp)))
            (local.set $a10 ({MADD} (local.get $w) (local.get $d0) (local.get $a10)))
            (local.set $a11 ({MADD} (local.get $w) (local.get $d1) (local.get $a11)))
            (local.set $w (v128.load{B}_splat offset={2E} (local.get $wp)))
            (local.set $a20 ({MADD} (local.get $w) (local.get $d0) (local.get $a20)))
            (local.set $a21 ({MADD} (local.get $w) (local.get $d1) (local.get $a21)))
            (local.set $w (v128.load{B}_splat offset={3E} (local.get $wp)))
            (local.set $a30 ({MADD} (local.get $w) (local.get $d0) (local.get $a30)))
            (local.set $a31 ({MADD} (local.get $w) (local.get $d1) (local.get $a31)))
            (local.set $d (i32.add (local.get $d) (local.get $rowB)))
            (local.set $wp (i32.add (local.get $wp) (local.get $wRowB)))
            (br_if $i (i32.lt_u (local.get $wp) (local.get $wEnd))))
          (local.set $o (i32.add (i32.mul (local.get $k) (local.get $rowB)) (local.get $j)))
          (v128.store (i32.add (local.get $dZp) (local.get $o)) (v128.and (local.get $a00) ({V}.gt (v128.load (i32.add (local.get $Ap) (local.get $o))) (local.get $zero))))
          (v128.store offset=16 (i32.add (local.get $dZp) (local.get $o)) (v128.and (local.get $a01) ({V}.gt (v128.load offset=16 (i32.add (local.get $Ap) (local.get $o))) (local.get $zero))))
          (local.set $o (i32.add (local.get $o) (local.get $rowB)))
          (v128.store (i32.add (local.get $dZp) (local.get $o)) (v128.and (local.get $a10) ({V}.gt (v128.load (i32.add (local.get $Ap) (local.get $o))) (local.get $zero))))
          (v128.store offset=16 (i32.add (local.get $dZp) (local.get $o)) (v128.and (local.get $a11) ({V}.gt (v128.load offset=16 (i32.add (local.get $Ap) (local.get $o))) (local.get $zero))))
          (local.set $o (i32.add (local.get $o) (local.get $rowB)))
          (v128.store (i32.add (local.get $dZp) (local.get $o)) (v128.and (local.get $a20) ({V}.gt (v128.load (i32.add (local.get $Ap) (local.get $o))) (local.get $zero))))
          (v128.store offset=16 (i32.add (local.get $dZp) (local.get $o)) (v128.and (local.get $a21) ({V}.gt (v128.load offset=16 (i32.add (local.get $Ap) (local.get $o))) (local.get $zero))))
          (local.set $o (i32.add (local.get $o) (local.get $rowB)))
          (v128.store (i32.add (local.get $dZp) (local.get $o)) (v128.and (local.get $a30) ({V}.gt (v128.load (i32.add (local.get $Ap) (local.get $o))) (local.get $zero))))
          (v128.store offset=16 (i32.add (local.get $dZp) (local.get $o)) (v128.and (local.get $a31) ({V}.gt (v128.load offset=16 (i32.add (local.get $Ap) (local.get $o))) (local.get $zero))))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $rowB))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $rows4)))
    ;; the remaining rows one at a time
    (block $rows1done
      (loop $rows1
        (br_if $rows1done (i32.ge_u (local.get $k) (local.get $nIn)))
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $a00 (local.get $zero)) (local.set $a01 (local.get $zero))
          (local.set $d (i32.add (local.get $dZ) (local.get $j)))
          (local.set $wp (i32.add (local.get $W) (i32.mul (local.get $k) (i32.const {E}))))
          (loop $i
            (local.set $w (v128.load{B}_splat (local.get $wp)))
            (local.set $a00 ({MADD} (local.get $w) (v128.load (local.get $d)) (local.get $a00)))
            (local.set $a01 ({MADD} (local.get $w) (v128.load offset=16 (local.get $d)) (local.get $a01)))
            (local.set $d (i32.add (local.get $d) (local.get $rowB)))
            (local.set $wp (i32.add (local.get $wp) (local.get $wRowB)))
            (br_if $i (i32.lt_u (local.get $wp) (local.get $wEnd))))
          (local.set $o (i32.add (i32.mul (local.get $k) (local.get $rowB)) (local.get $j)))
          (v128.store (i32.add (local.get $dZp) (local.get $o)) (v128.and (local.get $a00) ({V}.gt (v128.load (i32.add (local.get $Ap) (local.get $o))) (local.get $zero))))
          (v128.store offset=16 (i32.add (local.get $dZp) (local.get $o)) (v128.and (local.get $a01) ({V}.gt (v128.load offset=16 (i32.add (local.get $Ap) (local.get $o))) (local.get $zero))))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $rowB))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $rows1))))

  ;; Aᵀ of a tile for the gradient product: At (count × n) from A (n × T), row j of At holding
  ;; example j's n values side by side. Written row after row (reads strided, writes sequential).
  (func (export "transpose") (param $A i32) (param $At i32) (param $n i32) (param $T i32) (param $count i32)
    (local $j i32) (local $src i32) (local $dst i32) (local $end i32) (local $rowB i32)
    (local.set $rowB (i32.mul (local.get $T) (i32.const {E})))
    (local.set $dst (local.get $At))
    (loop $rows
      (local.set $src (i32.add (local.get $A) (i32.mul (local.get $j) (i32.const {E}))))
      (local.set $end (i32.add (local.get $dst) (i32.mul (local.get $n) (i32.const {E}))))
      (loop $cols
        ({S}.store (local.get $dst) ({S}.load (local.get $src)))
        (local.set $src (i32.add (local.get $src) (local.get $rowB)))
        (local.set $dst (i32.add (local.get $dst) (i32.const {E})))
        (br_if $cols (i32.lt_u (local.get $dst) (local.get $end))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $j) (local.get $count)))))

  ;; Gradient sums: dW += dZ·Aᵀ and db += Σ_columns dZ over the tile's `count` real examples,
  ;; dZ (nOut × T), At = Aᵀ (count × nIn), dW (nOut × nIn). Every entry's sum runs over the examples
  ;; in order, continuing from the value in dW (0 at the start of a batch), as matMulTransB's and
  ;; rowSums' loops do: float64 sums are the readable path's, bit for bit (with separate multiply
  ;; and add). The vectors therefore run along k (adjacent entries of a row of dW, adjacent in a
  ;; row of At), never along the examples.
  ;; Blocks of 4 rows × 2 vectors keep 8 independent sums in registers; then 4 rows × 1 vector; the
  ;; last columns of dW (fewer than a vector) and the last rows (fewer than 4) go one at a time.
  ;; The 1/m of the notes is applied in the update.
  (func (export "dense_bwd_dw")
    (param $dZ i32) (param $At i32) (param $dW i32) (param $db i32)
    (param $nOut i32) (param $nIn i32) (param $T i32) (param $count i32)
    (local $rowB i32) (local $atRowB i32) (local $countB i32) (local $k2End i32) (local $k1End i32)
    (local $i i32) (local $rows i32) (local $r i32) (local $kk i32) (local $jj i32) (local $at i32)
    (local $d0 i32) (local $d1 i32) (local $d2 i32) (local $d3 i32)
    (local $g0 i32) (local $g1 i32) (local $g2 i32) (local $g3 i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local $x0 v128) (local $x1 v128) (local $w v128)
    (local $s0 {S}) (local $s1 {S}) (local $s2 {S}) (local $s3 {S}) (local $x {S})
    (local.set $rowB (i32.mul (local.get $T) (i32.const {E})))
    (local.set $atRowB (i32.mul (local.get $nIn) (i32.const {E})))
    (local.set $countB (i32.mul (local.get $count) (i32.const {E})))
    (local.set $k2End (i32.and (local.get $atRowB) (i32.const -32)))
    (local.set $k1End (i32.and (local.get $atRowB) (i32.const -16)))
    ;; db, one row at a time
    (loop $dbrows
      (local.set $d0 (i32.add (local.get $dZ) (i32.mul (local.get $i) (local.get $rowB))))
      (local.set $s0 ({S}.load (i32.add (local.get $db) (i32.mul (local.get $i) (i32.const {E})))))
      (local.set $jj (i32.const 0))
      (loop $j
        (local.set $s0 ({S}.add (local.get $s0) ({S}.load (i32.add (local.get $d0) (local.get $jj)))))
        (local.set $jj (i32.add (local.get $jj) (i32.const {E})))
        (br_if $j (i32.lt_u (local.get $jj) (local.get $countB))))
      ({S}.store (i32.add (local.get $db) (i32.mul (local.get $i) (i32.const {E}))) (local.get $s0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $dbrows (i32.lt_u (local.get $i) (local.get $nOut))))
    ;; dW: 4 rows at a time while there are 4, then 1; a single row repeats its pointers 4 times
    ;; and only its first sums are stored
    (local.set $i (i32.const 0))
    (block $rowsdone
      (loop $rowblocks
        (br_if $rowsdone (i32.ge_u (local.get $i) (local.get $nOut)))
        (local.set $rows (select (i32.const 4) (i32.const 1) (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $nOut))))
        (local.set $d0 (i32.add (local.get $dZ) (i32.mul (local.get $i) (local.get $rowB))))
        (local.set $g0 (i32.add (local.get $dW) (i32.mul (local.get $i) (local.get $atRowB))))
        (local.set $d1 (local.get $d0)) (local.set $d2 (local.get $d0)) (local.set $d3 (local.get $d0))
        (local.set $g1 (local.get $g0)) (local.set $g2 (local.get $g0)) (local.set $g3 (local.get $g0))
        (if (i32.eq (local.get $rows) (i32.const 4))
          (then
            (local.set $d1 (i32.add (local.get $d0) (local.get $rowB)))
            (local.set $d2 (i32.add (local.get $d1) (local.get $rowB)))
            (local.set $d3 (i32.add (local.get $d2) (local.get $rowB)))
            (local.set $g1 (i32.add (local.get $g0) (local.get $atRowB)))
            (local.set $g2 (i32.add (local.get $g1) (local.get $atRowB)))
            (local.set $g3 (i32.add (local.get $g2) (local.get $atRowB)))))
        (local.set $kk (i32.const 0))
        ;; two vectors of columns
        (block $k2done
          (loop $k2
            (br_if $k2done (i32.ge_u (local.get $kk) (local.get $k2End)))
            (local.set $a00 (v128.load (i32.add (local.get $g0) (local.get $kk))))
            (local.set $a01 (v128.load offset=16 (i32.add (local.get $g0) (local.get $kk))))
            (local.set $a10 (v128.load (i32.add (local.get $g1) (local.get $kk))))
            (local.set $a11 (v128.load offset=16 (i32.add (local.get $g1) (local.get $kk))))
            (local.set $a20 (v128.load (i32.add (local.get $g2) (local.get $kk))))
            (local.set $a21 (v128.load offset=16 (i32.add (local.get $g2) (local.get $kk))))
            (local.set $a30 (v128.load (i32.add (local.get $g3) (local.get $kk))))
            (local.set $a31 (v128.load offset=16 (i32.add (local.get $g3) (local.get $kk))))
            (local.set $at (i32.add (local.get $At) (local.get $kk)))
            (local.set $jj (i32.const 0))
            (loop $j
              (local.set $x0 (v128.load (local.get $at)))
              (local.set $x1 (v128.load offset=16 (local.get $at)))
              (local.set $w (v128.load{B}_splat (i32.add (local.get $d0) (local.get $jj))))
              (local.set $a00 ({MADD} (local.get $w) (local.get $x0) (local.get $a00)))
              (local.set $a01 ({MADD} (local.get $w) (local.get $x1) (local.get $a01)))
              (local.set $w (v128.load{B}_splat (i32.add (local.get $d1) (local.get $jj))))
              (local.set $a10 ({MADD} (local.get $w) (local.get $x0) (local.get $a10)))
              (local.set $a11 ({MADD} (local.get $w) (local.get $x1) (local.get $a11)))
              (local.set $w (v128.load{B}_splat (i32.add (local.get $d2) (local.get $jj))))
              (local.set $a20 ({MADD} (local.get $w) (local.get $x0) (local.get $a20)))
              (local.set $a21 ({MADD} (local.get $w) (local.get $x1) (local.get $a21)))
              (local.set $w (v128.load{B}_splat (i32.add (local.get $d3) (local.get $jj))))
              (local.set $a30 ({MADD} (local.get $w) (local.get $x0) (local.get $a30)))
              (local.set $a31 ({MADD} (local.get $w) (local.get $x1) (local.get $a31)))
              (local.set $at (i32.add (local.get $at) (local.get $atRowB)))
              (local.set $jj (i32.add (local.get $jj) (i32.const {E})))
              (br_if $j (i32.lt_u (local.get $jj) (local.get $countB))))
            ;; stored in reverse row order, so that with one row (all pointers alike) row 0's sums win
            (v128.store (i32.add (local.get $g3) (local.get $kk)) (local.get $a30))
            (v128.store offset=16 (i32.add (local.get $g3) (local.get $kk)) (local.get $a31))
            (v128.store (i32.add (local.get $g2) (local.get $kk)) (local.get $a20))
            (v128.store offset=16 (i32.add (local.get $g2) (local.get $kk)) (local.get $a21))
            (v128.store (i32.add (local.get $g1) (local.get $kk)) (local.get $a10))
            (v128.store offset=16 (i32.add (local.get $g1) (local.get $kk)) (local.get $a11))
            (v128.store (i32.add (local.get $g0) (local.get $kk)) (local.get $a00))
            (v128.store offset=16 (i32.add (local.get $g0) (local.get $kk)) (local.get $a01))
            (local.set $kk (i32.add (local.get $kk) (i32.const 32)))
            (br $k2)))
        ;; one vector of columns
        (block $k1done
          (loop $k1
            (br_if $k1done (i32.ge_u (local.get $kk) (local.get $k1End)))
            (local.set $a00 (v128.load (i32.add (local.get $g0) (local.get $kk))))
            (local.set $a10 (v128.load (i32.add (local.get $g1) (local.get $kk))))
            (local.set $a20 (v128.load (i32.add (local.get $g2) (local.get $kk))))
            (local.set $a30 (v128.load (i32.add (local.get $g3) (local.get $kk))))
            (local.set $at (i32.add (local.get $At) (local.get $kk)))
            (local.set $jj (i32.const 0))
            (loop $j
              (local.set $x0 (v128.load (local.get $at)))
              (local.set $a00 ({MADD} (v128.load{B}_splat (i32.add (local.get $d0) (local.get $jj))) (local.get $x0) (local.get $a00)))
              (local.set $a10 ({MADD} (v128.load{B}_splat (i32.add (local.get $d1) (local.get $jj))) (local.get $x0) (local.get $a10)))
              (local.set $a20 ({MADD} (v128.load{B}_splat (i32.add (local.get $d2) (local.get $jj))) (local.get $x0) (local.get $a20)))
              (local.set $a30 ({MADD} (v128.load{B}_splat (i32.add (local.get $d3) (local.get $jj))) (local.get $x0) (local.get $a30)))
              (local.set $at (i32.add (local.get $at) (local.get $atRowB)))
              (local.set $jj (i32.add (local.get $jj) (i32.const {E})))
              (br_if $j (i32.lt_u (local.get $jj) (local.get $countB))))
            (v128.store (i32.add (local.get $g3) (local.get $kk)) (local.get $a30))
            (v128.store (i32.add (local.get $g2) (local.get $kk)) (local.get $a20))
            (v128.store (i32.add (local.get $g1) (local.get $kk)) (local.get $a10))
            (v128.store (i32.add (local.get $g0) (local.get $kk)) (local.get $a00))
            (local.set $kk (i32.add (local.get $kk) (i32.const 16)))
            (br $k1)))
        ;; the last columns one at a time
        (block $k0done
          (loop $k0
            (br_if $k0done (i32.ge_u (local.get $kk) (local.get $atRowB)))
            (local.set $s0 ({S}.load (i32.add (local.get $g0) (local.get $kk))))
            (local.set $s1 ({S}.load (i32.add (local.get $g1) (local.get $kk))))
            (local.set $s2 ({S}.load (i32.add (local.get $g2) (local.get $kk))))
            (local.set $s3 ({S}.load (i32.add (local.get $g3) (local.get $kk))))
            (local.set $at (i32.add (local.get $At) (local.get $kk)))
            (local.set $jj (i32.const 0))
            (loop $j
              (local.set $x ({S}.load (local.get $at)))
              (local.set $s0 ({S}.add (local.get $s0) ({S}.mul ({S}.load (i32.add (local.get $d0) (local.get $jj))) (local.get $x))))
              (local.set $s1 ({S}.add (local.get $s1) ({S}.mul ({S}.load (i32.add (local.get $d1) (local.get $jj))) (local.get $x))))
              (local.set $s2 ({S}.add (local.get $s2) ({S}.mul ({S}.load (i32.add (local.get $d2) (local.get $jj))) (local.get $x))))
              (local.set $s3 ({S}.add (local.get $s3) ({S}.mul ({S}.load (i32.add (local.get $d3) (local.get $jj))) (local.get $x))))
              (local.set $at (i32.add (local.get $at) (local.get $atRowB)))
              (local.set $jj (i32.add (local.get $jj) (i32.const {E})))
              (br_if $j (i32.lt_u (local.get $jj) (local.get $countB))))
            ({S}.store (i32.add (local.get $g3) (local.get $kk)) (local.get $s3))
            ({S}.store (i32.add (local.get $g2) (local.get $kk)) (local.get $s2))
            ({S}.store (i32.add (local.get $g1) (local.get $kk)) (local.get $s1))
            ({S}.store (i32.add (local.get $g0) (local.get $kk)) (local.get $s0))
            (local.set $kk (i32.add (local.get $kk) (i32.const {E})))
            (br $k0)))
        (local.set $i (i32.add (local.get $i) (local.get $rows)))
        (br $rowblocks))))

;; The output layer of one tile, in float64 whatever the engine's number type: a = σ(z), the loss
  ;; from the logits max(z, 0) − z·y + log1p(e^−|z|) (as computeCostFromLogits), dZ = a − y (0 in
  ;; the padding columns), and the numbers classified correctly and classified 1: two examples at
  ;; a time, without a branch. One exponential serves σ and the loss: with t = e^−|z|,
  ;; σ(z) = 1/(1 + t) for z ≥ 0 and t/(1 + t) below. e^x (x ≤ 0, above −708: lower ones
  ;; would be below 1e−307) as 2^k·e^r, k = round(x/ln 2), r = x − k·ln 2 (ln 2 in two parts,
  ;; |r| ≤ ln 2 / 2) and the Taylor polynomial of e^r to r¹³ (its first omitted term < 5e−18);
  ;; log1p(t), 0 ≤ t ≤ 1, as 2·atanh(u) with u = t/(2 + t), or ln 2 + 2·atanh(u) with
  ;; u = (t − 1)/(t + 3) above t = 0.5, so that |u| ≤ 0.2, and the series 2u·Σ u^2i/(2i + 1) to
  ;; i = 11 (the first omitted term < 2e−18). The results are within a few units in the last place
  ;; of Math.exp's and Math.log1p's; NaN and ±∞ go through as they do there. The loss is summed
  ;; in two lanes with Neumaier's compensation. Writes 8 float64 at $res: the lanes' sums, their
  ;; compensations, the lanes' numbers correct and the lanes' numbers classified 1.
  (func (export "output") (param $Z i32) (param $Y i32) (param $D i32) (param $count i32) (param $T i32) (param $res i32)
    (local $p i32) (local $end i32)
    (local $z v128) (local $y v128) (local $r v128) (local $k v128) (local $e v128) (local $t v128)
    (local $hi v128) (local $u v128) (local $w v128) (local $q v128) (local $a v128) (local $loss v128)
    (local $real v128) (local $positive v128) (local $sum v128) (local $s v128) (local $c v128)
    (local $idx v128) (local $cnt v128) (local $nCorrect v128) (local $nPositive v128) (local $one v128)
    (local.set $one (f64x2.splat (f64.const 1)))
    (local.set $cnt (i64x2.splat (i64.extend_i32_u (local.get $count))))
    (local.set $idx (v128.const i64x2 0 1))
    (local.set $end (i32.mul (local.get $T) (i32.const {E})))
    (loop $pairs
      (local.set $z ({LOAD2} (i32.add (local.get $Z) (local.get $p))))
      (local.set $y ({LOAD2} (i32.add (local.get $Y) (local.get $p))))
      (local.set $real (i64x2.lt_s (local.get $idx) (local.get $cnt)))
      ;; t = e^−|z|
      (local.set $r (f64x2.max (f64x2.neg (f64x2.abs (local.get $z))) (f64x2.splat (f64.const -708))))
      (local.set $k (f64x2.nearest (f64x2.mul (local.get $r) (f64x2.splat (f64.const 1.4426950408889634)))))
      (local.set $r ({MADD64} (local.get $k) (f64x2.splat (f64.const -0.6931471803691238)) (local.get $r)))
      (local.set $r ({MADD64} (local.get $k) (f64x2.splat (f64.const -1.9082149292705877e-10)) (local.get $r)))
      (local.set $e (f64x2.splat (f64.const 1.6059043836821613e-10)))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 2.08767569878681e-09))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 2.505210838544172e-08))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 2.755731922398589e-07))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 2.7557319223985893e-06))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 2.48015873015873e-05))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 0.0001984126984126984))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 0.001388888888888889))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 0.008333333333333333))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 0.041666666666666664))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 0.16666666666666666))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (f64x2.splat (f64.const 0.5))))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (local.get $one)))
      (local.set $e ({MADD64} (local.get $e) (local.get $r) (local.get $one)))
      ;; · 2^k, k from −1021 to 0: its exponent bits k + 1023 shifted into place
      (local.set $t (f64x2.mul (local.get $e)
        (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))) (i64x2.splat (i64.const 1023))) (i32.const 52))))
      ;; log1p(t) = [t > 0.5]·ln 2 + 2u·q(u²)
      (local.set $hi (f64x2.gt (local.get $t) (f64x2.splat (f64.const 0.5))))
      (local.set $u (f64x2.div
        (f64x2.sub (local.get $t) (v128.and (local.get $hi) (local.get $one)))
        (f64x2.add (local.get $t) (v128.bitselect (f64x2.splat (f64.const 3)) (f64x2.splat (f64.const 2)) (local.get $hi)))))
      (local.set $w (f64x2.mul (local.get $u) (local.get $u)))
      (local.set $q (f64x2.splat (f64.const 0.043478260869565216)))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (f64x2.splat (f64.const 0.047619047619047616))))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (f64x2.splat (f64.const 0.05263157894736842))))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (f64x2.splat (f64.const 0.058823529411764705))))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (f64x2.splat (f64.const 0.06666666666666667))))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (f64x2.splat (f64.const 0.07692307692307693))))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (f64x2.splat (f64.const 0.09090909090909091))))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (f64x2.splat (f64.const 0.1111111111111111))))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (f64x2.splat (f64.const 0.14285714285714285))))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (f64x2.splat (f64.const 0.2))))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (f64x2.splat (f64.const 0.3333333333333333))))
      (local.set $q ({MADD64} (local.get $q) (local.get $w) (local.get $one)))
      ;; the loss max(z, 0) − z·y + log1p(t), 0 in the padding columns
      (local.set $loss (v128.and (local.get $real)
        (f64x2.add
          ({MADD64} (f64x2.neg (local.get $z)) (local.get $y) (f64x2.max (local.get $z) (f64x2.splat (f64.const 0))))
          ({MADD64} (f64x2.add (local.get $u) (local.get $u)) (local.get $q) (v128.and (local.get $hi) (f64x2.splat (f64.const 0.6931471805599453)))))))
      ;; Neumaier: s += loss, c collects what the sum lost
      (local.set $sum (f64x2.add (local.get $s) (local.get $loss)))
      (local.set $c (f64x2.add (local.get $c)
        (v128.bitselect
          (f64x2.add (f64x2.sub (local.get $s) (local.get $sum)) (local.get $loss))
          (f64x2.add (f64x2.sub (local.get $loss) (local.get $sum)) (local.get $s))
          (f64x2.ge (f64x2.abs (local.get $s)) (f64x2.abs (local.get $loss))))))
      (local.set $s (local.get $sum))
      ;; a = σ(z); dZ = a − y; the counts
      (local.set $a (f64x2.div (v128.bitselect (local.get $one) (local.get $t) (f64x2.ge (local.get $z) (f64x2.splat (f64.const 0))))
                               (f64x2.add (local.get $one) (local.get $t))))
      ({STORE2} (i32.add (local.get $D) (local.get $p)) (v128.and (local.get $real) (f64x2.sub (local.get $a) (local.get $y))))
      (local.set $positive (v128.and (local.get $real) (f64x2.gt (local.get $a) (f64x2.splat (f64.const 0.5)))))
      (local.set $nPositive (f64x2.add (local.get $nPositive) (v128.and (local.get $positive) (local.get $one))))
      (local.set $nCorrect (f64x2.add (local.get $nCorrect)
        (v128.and (v128.andnot (local.get $real) (v128.xor (local.get $positive) (f64x2.eq (local.get $y) (local.get $one)))) (local.get $one))))
      (local.set $idx (i64x2.add (local.get $idx) (i64x2.splat (i64.const 2))))
      (local.set $p (i32.add (local.get $p) (i32.const {2E})))
      (br_if $pairs (i32.lt_u (local.get $p) (local.get $end))))
    (v128.store (local.get $res) (local.get $s))
    (v128.store offset=16 (local.get $res) (local.get $c))
    (v128.store offset=32 (local.get $res) (local.get $nCorrect))
    (v128.store offset=48 (local.get $res) (local.get $nPositive)))

    ;; The update θ := θ − α·(dθ·inv) over all parameters at once, inv = 1/m: dθ·inv is the notes'
  ;; gradient, computed in the readable path's order of operations. Then dθ := 0 for the next
  ;; batch. (With inv = 1 and α = −1 it adds one set of sums to another.) n is a count of elements.
  (func (export "update") (param $theta i32) (param $grad i32) (param $n i32) (param $inv {S}) (param $alpha {S})
    (local $p i32) (local $end i32) (local $vend i32) (local $vi v128) (local $va v128)
    (local.set $vi ({V}.splat (local.get $inv)))
    (local.set $va ({V}.splat (local.get $alpha)))
    (local.set $end (i32.mul (local.get $n) (i32.const {E})))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (block $vdone
      (loop $v
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $vend)))
        (v128.store (i32.add (local.get $theta) (local.get $p))
          ({V}.sub (v128.load (i32.add (local.get $theta) (local.get $p)))
                   ({V}.mul (local.get $va) ({V}.mul (v128.load (i32.add (local.get $grad) (local.get $p))) (local.get $vi)))))
        (v128.store (i32.add (local.get $grad) (local.get $p)) (v128.const i64x2 0 0))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $v)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        ({S}.store (i32.add (local.get $theta) (local.get $p))
          ({S}.sub ({S}.load (i32.add (local.get $theta) (local.get $p)))
                   ({S}.mul (local.get $alpha) ({S}.mul ({S}.load (i32.add (local.get $grad) (local.get $p))) (local.get $inv)))))
        ({S}.store (i32.add (local.get $grad) (local.get $p)) ({S}.const 0))
        (local.set $p (i32.add (local.get $p) (i32.const {E})))
        (br $one))))
)
