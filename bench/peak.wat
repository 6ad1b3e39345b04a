;; The machine's limits as WebAssembly sees them, measured rather than assumed (npm run bench):
;; the clock from a chain of dependent integer adds (one per cycle), and the most multiply-adds per
;; second that 128-bit SIMD reaches with ten independent sums. Assembled like the engine's
;; kernels (scripts/build.mjs): {V} is f64x2 or f32x4, ({MADD} a b c) = a·b + c, fused in the
;; relaxed modules, a multiply and an add in the others.
(module
  ;; n rounds of 16 dependent i64 additions: 16·n cycles on any core that adds in one cycle
  (func (export "clock") (param $n i32) (param $step i64) (result i64)
    (local $x i64)
    (loop $round
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $x (i64.add (local.get $x) (local.get $step)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $round (i32.gt_s (local.get $n) (i32.const 0))))
    (local.get $x))

  ;; n rounds of 10 independent vector multiply-adds; returns a lane of their sum so that none is
  ;; optimised away
  (func (export "madd") (param $n i32) (param $a {S}) (param $b {S}) (result {S})
    (local $x v128) (local $y v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128)
    (local $s5 v128) (local $s6 v128) (local $s7 v128) (local $s8 v128) (local $s9 v128)
    (local.set $x ({V}.splat (local.get $a)))
    (local.set $y ({V}.splat (local.get $b)))
    (loop $round
      (local.set $s0 ({MADD} (local.get $x) (local.get $y) (local.get $s0)))
      (local.set $s1 ({MADD} (local.get $x) (local.get $y) (local.get $s1)))
      (local.set $s2 ({MADD} (local.get $x) (local.get $y) (local.get $s2)))
      (local.set $s3 ({MADD} (local.get $x) (local.get $y) (local.get $s3)))
      (local.set $s4 ({MADD} (local.get $x) (local.get $y) (local.get $s4)))
      (local.set $s5 ({MADD} (local.get $x) (local.get $y) (local.get $s5)))
      (local.set $s6 ({MADD} (local.get $x) (local.get $y) (local.get $s6)))
      (local.set $s7 ({MADD} (local.get $x) (local.get $y) (local.get $s7)))
      (local.set $s8 ({MADD} (local.get $x) (local.get $y) (local.get $s8)))
      (local.set $s9 ({MADD} (local.get $x) (local.get $y) (local.get $s9)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $round (i32.gt_s (local.get $n) (i32.const 0))))
    ({V}.extract_lane 0
      ({V}.add ({V}.add ({V}.add (local.get $s0) (local.get $s1)) ({V}.add (local.get $s2) (local.get $s3)))
        ({V}.add ({V}.add ({V}.add (local.get $s4) (local.get $s5)) ({V}.add (local.get $s6) (local.get $s7)))
          ({V}.add (local.get $s8) (local.get $s9))))))
)
