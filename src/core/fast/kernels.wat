;; The fast training engine's arithmetic: the notes' forward run, backward run and update for one
;; tile of T examples, in WebAssembly SIMD (128-bit vectors).
;;
;; Written once for both number types: the build (scripts/build.mjs) assembles this text twice,
;; replacing {V} by f64x2 or f32x4, {S} by f64 or f32, {E}, {2E}, {3E} by 1, 2, 3 times the
;; element size in bytes and {B} by its size in bits (v128.load{B}_splat loads one number into all
;; lanes in a single instruction); a line starting with ";;f64 " or ";;f32 " is kept (without that prefix)
;; only in its own type's module.
;;
;; Layout: every matrix is row-major. A tile holds T examples in columns, T a multiple of 8, so each
;; of its rows is rowB = T·{E} bytes, a whole number of 32-byte steps (two vectors) in either type.
;; Pointers are byte offsets into the imported memory.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Sum of a vector's lanes.
  (func $hsum (param $v v128) (result {S})
;;f64 ({S}.add ({V}.extract_lane 0 (local.get $v)) ({V}.extract_lane 1 (local.get $v)))
;;f32 (local.set $v ({V}.add (local.get $v) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
;;f32 ({S}.add ({V}.extract_lane 0 (local.get $v)) ({V}.extract_lane 1 (local.get $v)))
  )

  ;; Forward step of one layer: O = act(W·X + b), W (nOut × nIn), X (nIn × T), O (nOut × T);
  ;; act = ReLU when $relu, else none (the output layer's Z). Bias and activation are applied in
  ;; registers: each output is written once. Blocks of 4 rows × 2 vectors keep 8 accumulators,
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
          (local.set $a00 (v128.load{B}_splat (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const {E})))))
          (local.set $a01 (local.get $a00))
          (local.set $a10 (v128.load{B}_splat offset={E} (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const {E})))))
          (local.set $a11 (local.get $a10))
          (local.set $a20 (v128.load{B}_splat offset={2E} (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const {E})))))
          (local.set $a21 (local.get $a20))
          (local.set $a30 (v128.load{B}_splat offset={3E} (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const {E})))))
          (local.set $a31 (local.get $a30))
          (local.set $x (i32.add (local.get $X) (local.get $j)))
          (local.set $kk (i32.const 0))
          (loop $k
            (local.set $x0 (v128.load (local.get $x)))
            (local.set $x1 (v128.load offset=16 (local.get $x)))
            (local.set $w (v128.load{B}_splat (i32.add (local.get $w0) (local.get $kk))))
            (local.set $a00 ({V}.add (local.get $a00) ({V}.mul (local.get $w) (local.get $x0))))
            (local.set $a01 ({V}.add (local.get $a01) ({V}.mul (local.get $w) (local.get $x1))))
            (local.set $w (v128.load{B}_splat (i32.add (local.get $w1) (local.get $kk))))
            (local.set $a10 ({V}.add (local.get $a10) ({V}.mul (local.get $w) (local.get $x0))))
            (local.set $a11 ({V}.add (local.get $a11) ({V}.mul (local.get $w) (local.get $x1))))
            (local.set $w (v128.load{B}_splat (i32.add (local.get $w2) (local.get $kk))))
            (local.set $a20 ({V}.add (local.get $a20) ({V}.mul (local.get $w) (local.get $x0))))
            (local.set $a21 ({V}.add (local.get $a21) ({V}.mul (local.get $w) (local.get $x1))))
            (local.set $w (v128.load{B}_splat (i32.add (local.get $w3) (local.get $kk))))
            (local.set $a30 ({V}.add (local.get $a30) ({V}.mul (local.get $w) (local.get $x0))))
            (local.set $a31 ({V}.add (local.get $a31) ({V}.mul (local.get $w) (local.get $x1))))
            (local.set $x (i32.add (local.get $x) (local.get $rowB)))
            (local.set $kk (i32.add (local.get $kk) (i32.const {E})))
            (br_if $k (i32.lt_u (local.get $kk) (local.get $wRowB))))
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
          (local.set $a00 (v128.load{B}_splat (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const {E})))))
          (local.set $a01 (local.get $a00))
          (local.set $a10 (local.get $a00))
          (local.set $a11 (local.get $a00))
          (local.set $x (i32.add (local.get $X) (local.get $j)))
          (local.set $kk (i32.const 0))
          ;; the last pair of vectors of an odd number of pairs is computed and not stored
          (loop $k
            (local.set $w (v128.load{B}_splat (i32.add (local.get $w0) (local.get $kk))))
            (local.set $a00 ({V}.add (local.get $a00) ({V}.mul (local.get $w) (v128.load (local.get $x)))))
            (local.set $a01 ({V}.add (local.get $a01) ({V}.mul (local.get $w) (v128.load offset=16 (local.get $x)))))
            (if (i32.lt_u (i32.add (local.get $j) (i32.const 32)) (local.get $rowB))
              (then
                (local.set $a10 ({V}.add (local.get $a10) ({V}.mul (local.get $w) (v128.load offset=32 (local.get $x)))))
                (local.set $a11 ({V}.add (local.get $a11) ({V}.mul (local.get $w) (v128.load offset=48 (local.get $x)))))))
            (local.set $x (i32.add (local.get $x) (local.get $rowB)))
            (local.set $kk (i32.add (local.get $kk) (i32.const {E})))
            (br_if $k (i32.lt_u (local.get $kk) (local.get $wRowB))))
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
            (local.set $a00 ({V}.add (local.get $a00) ({V}.mul (local.get $w) (local.get $d0))))
            (local.set $a01 ({V}.add (local.get $a01) ({V}.mul (local.get $w) (local.get $d1))))
            (local.set $w (v128.load{B}_splat offset={E} (local.get $wp)))
            (local.set $a10 ({V}.add (local.get $a10) ({V}.mul (local.get $w) (local.get $d0))))
            (local.set $a11 ({V}.add (local.get $a11) ({V}.mul (local.get $w) (local.get $d1))))
            (local.set $w (v128.load{B}_splat offset={2E} (local.get $wp)))
            (local.set $a20 ({V}.add (local.get $a20) ({V}.mul (local.get $w) (local.get $d0))))
            (local.set $a21 ({V}.add (local.get $a21) ({V}.mul (local.get $w) (local.get $d1))))
            (local.set $w (v128.load{B}_splat offset={3E} (local.get $wp)))
            (local.set $a30 ({V}.add (local.get $a30) ({V}.mul (local.get $w) (local.get $d0))))
            (local.set $a31 ({V}.add (local.get $a31) ({V}.mul (local.get $w) (local.get $d1))))
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
            (local.set $a00 ({V}.add (local.get $a00) ({V}.mul (local.get $w) (v128.load (local.get $d)))))
            (local.set $a01 ({V}.add (local.get $a01) ({V}.mul (local.get $w) (v128.load offset=16 (local.get $d)))))
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

  ;; Gradient accumulation: dW += dZ·Apᵀ and db += Σ_columns dZ, dZ (nOut × T), Ap (nIn × T),
  ;; dW (nOut × nIn). Apᵀ is never formed: each entry of dW is a dot product of two tile rows.
  ;; Blocks of 2 rows of dZ × 4 rows of Ap reuse every loaded vector 2 or 4 times. The 1/m of the
  ;; notes is applied once, in the update.
  (func (export "dense_bwd_dw")
    (param $dZ i32) (param $Ap i32) (param $dW i32) (param $db i32)
    (param $nOut i32) (param $nIn i32) (param $T i32)
    (local $rowB i32) (local $i i32) (local $k i32) (local $j i32) (local $rows i32) (local $k4 i32)
    (local $p0 i32) (local $p1 i32) (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32)
    (local $g i32)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local $d0 v128) (local $d1 v128) (local $a v128) (local $zero v128)
    (local.set $rowB (i32.mul (local.get $T) (i32.const {E})))
    (local.set $zero ({V}.splat ({S}.const 0)))
    (local.set $k4 (i32.and (local.get $nIn) (i32.const -4)))
    ;; rows of dZ two at a time (one at a time for the last of an odd count): the second row's
    ;; pointer then repeats the first and its sums are dropped
    (block $rowsdone
      (loop $rows
        (br_if $rowsdone (i32.ge_u (local.get $i) (local.get $nOut)))
        (local.set $rows (select (i32.const 2) (i32.const 1) (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $nOut))))
        (local.set $p0 (i32.add (local.get $dZ) (i32.mul (local.get $i) (local.get $rowB))))
        (local.set $p1 (select (i32.add (local.get $p0) (local.get $rowB)) (local.get $p0) (i32.eq (local.get $rows) (i32.const 2))))
        ;; db
        (local.set $s00 (local.get $zero)) (local.set $s10 (local.get $zero))
        (local.set $j (i32.const 0))
        (loop $sum
          (local.set $s00 ({V}.add (local.get $s00) (v128.load (i32.add (local.get $p0) (local.get $j)))))
          (local.set $s10 ({V}.add (local.get $s10) (v128.load (i32.add (local.get $p1) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $sum (i32.lt_u (local.get $j) (local.get $rowB))))
        (local.set $g (i32.add (local.get $db) (i32.mul (local.get $i) (i32.const {E}))))
        ({S}.store (local.get $g) ({S}.add ({S}.load (local.get $g)) (call $hsum (local.get $s00))))
        (if (i32.eq (local.get $rows) (i32.const 2))
          (then ({S}.store offset={E} (local.get $g) ({S}.add ({S}.load offset={E} (local.get $g)) (call $hsum (local.get $s10))))))
        ;; dW, four columns at a time
        (local.set $k (i32.const 0))
        (block $k4done
          (loop $kloop
            (br_if $k4done (i32.ge_u (local.get $k) (local.get $k4)))
            (local.set $q0 (i32.add (local.get $Ap) (i32.mul (local.get $k) (local.get $rowB))))
            (local.set $q1 (i32.add (local.get $q0) (local.get $rowB)))
            (local.set $q2 (i32.add (local.get $q1) (local.get $rowB)))
            (local.set $q3 (i32.add (local.get $q2) (local.get $rowB)))
            (local.set $s00 (local.get $zero)) (local.set $s01 (local.get $zero))
            (local.set $s02 (local.get $zero)) (local.set $s03 (local.get $zero))
            (local.set $s10 (local.get $zero)) (local.set $s11 (local.get $zero))
            (local.set $s12 (local.get $zero)) (local.set $s13 (local.get $zero))
            (local.set $j (i32.const 0))
            (loop $dot
              (local.set $d0 (v128.load (i32.add (local.get $p0) (local.get $j))))
              (local.set $d1 (v128.load (i32.add (local.get $p1) (local.get $j))))
              (local.set $a (v128.load (i32.add (local.get $q0) (local.get $j))))
              (local.set $s00 ({V}.add (local.get $s00) ({V}.mul (local.get $d0) (local.get $a))))
              (local.set $s10 ({V}.add (local.get $s10) ({V}.mul (local.get $d1) (local.get $a))))
              (local.set $a (v128.load (i32.add (local.get $q1) (local.get $j))))
              (local.set $s01 ({V}.add (local.get $s01) ({V}.mul (local.get $d0) (local.get $a))))
              (local.set $s11 ({V}.add (local.get $s11) ({V}.mul (local.get $d1) (local.get $a))))
              (local.set $a (v128.load (i32.add (local.get $q2) (local.get $j))))
              (local.set $s02 ({V}.add (local.get $s02) ({V}.mul (local.get $d0) (local.get $a))))
              (local.set $s12 ({V}.add (local.get $s12) ({V}.mul (local.get $d1) (local.get $a))))
              (local.set $a (v128.load (i32.add (local.get $q3) (local.get $j))))
              (local.set $s03 ({V}.add (local.get $s03) ({V}.mul (local.get $d0) (local.get $a))))
              (local.set $s13 ({V}.add (local.get $s13) ({V}.mul (local.get $d1) (local.get $a))))
              (local.set $j (i32.add (local.get $j) (i32.const 16)))
              (br_if $dot (i32.lt_u (local.get $j) (local.get $rowB))))
            (local.set $g (i32.add (local.get $dW) (i32.mul (i32.add (i32.mul (local.get $i) (local.get $nIn)) (local.get $k)) (i32.const {E}))))
            ({S}.store (local.get $g) ({S}.add ({S}.load (local.get $g)) (call $hsum (local.get $s00))))
            ({S}.store offset={E} (local.get $g) ({S}.add ({S}.load offset={E} (local.get $g)) (call $hsum (local.get $s01))))
            ({S}.store offset={2E} (local.get $g) ({S}.add ({S}.load offset={2E} (local.get $g)) (call $hsum (local.get $s02))))
            ({S}.store offset={3E} (local.get $g) ({S}.add ({S}.load offset={3E} (local.get $g)) (call $hsum (local.get $s03))))
            (if (i32.eq (local.get $rows) (i32.const 2))
              (then
                (local.set $g (i32.add (local.get $g) (i32.mul (local.get $nIn) (i32.const {E}))))
                ({S}.store (local.get $g) ({S}.add ({S}.load (local.get $g)) (call $hsum (local.get $s10))))
                ({S}.store offset={E} (local.get $g) ({S}.add ({S}.load offset={E} (local.get $g)) (call $hsum (local.get $s11))))
                ({S}.store offset={2E} (local.get $g) ({S}.add ({S}.load offset={2E} (local.get $g)) (call $hsum (local.get $s12))))
                ({S}.store offset={3E} (local.get $g) ({S}.add ({S}.load offset={3E} (local.get $g)) (call $hsum (local.get $s13))))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $kloop)))
        ;; the remaining columns of dW one at a time
        (block $k1done
          (loop $k1
            (br_if $k1done (i32.ge_u (local.get $k) (local.get $nIn)))
            (local.set $q0 (i32.add (local.get $Ap) (i32.mul (local.get $k) (local.get $rowB))))
            (local.set $s00 (local.get $zero)) (local.set $s10 (local.get $zero))
            (local.set $j (i32.const 0))
            (loop $dot
              (local.set $a (v128.load (i32.add (local.get $q0) (local.get $j))))
              (local.set $s00 ({V}.add (local.get $s00) ({V}.mul (v128.load (i32.add (local.get $p0) (local.get $j))) (local.get $a))))
              (local.set $s10 ({V}.add (local.get $s10) ({V}.mul (v128.load (i32.add (local.get $p1) (local.get $j))) (local.get $a))))
              (local.set $j (i32.add (local.get $j) (i32.const 16)))
              (br_if $dot (i32.lt_u (local.get $j) (local.get $rowB))))
            (local.set $g (i32.add (local.get $dW) (i32.mul (i32.add (i32.mul (local.get $i) (local.get $nIn)) (local.get $k)) (i32.const {E}))))
            ({S}.store (local.get $g) ({S}.add ({S}.load (local.get $g)) (call $hsum (local.get $s00))))
            (if (i32.eq (local.get $rows) (i32.const 2))
              (then
                (local.set $g (i32.add (local.get $g) (i32.mul (local.get $nIn) (i32.const {E}))))
                ({S}.store (local.get $g) ({S}.add ({S}.load (local.get $g)) (call $hsum (local.get $s10))))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $k1)))
        (local.set $i (i32.add (local.get $i) (local.get $rows)))
        (br $rows))))

  ;; The update θ := θ + scale·dθ over all parameters at once (scale = −α/m), then dθ := 0 for the
  ;; next batch. n is a count of elements.
  (func (export "update") (param $theta i32) (param $grad i32) (param $n i32) (param $scale {S})
    (local $p i32) (local $end i32) (local $vend i32) (local $s v128)
    (local.set $s ({V}.splat (local.get $scale)))
    (local.set $end (i32.mul (local.get $n) (i32.const {E})))
    (local.set $vend (i32.and (local.get $end) (i32.const -16)))
    (block $vdone
      (loop $v
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $vend)))
        (v128.store (i32.add (local.get $theta) (local.get $p))
          ({V}.add (v128.load (i32.add (local.get $theta) (local.get $p)))
                   ({V}.mul (local.get $s) (v128.load (i32.add (local.get $grad) (local.get $p))))))
        (v128.store (i32.add (local.get $grad) (local.get $p)) (v128.const i64x2 0 0))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $v)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        ({S}.store (i32.add (local.get $theta) (local.get $p))
          ({S}.add ({S}.load (i32.add (local.get $theta) (local.get $p)))
                   ({S}.mul (local.get $scale) ({S}.load (i32.add (local.get $grad) (local.get $p))))))
        ({S}.store (i32.add (local.get $grad) (local.get $p)) ({S}.const 0))
        (local.set $p (i32.add (local.get $p) (i32.const {E})))
        (br $one))))
)
