/**
 * Every random choice the generators make is read from a tape of integers that fast-check generates. Choice 0 is
 * always the simplest option (fewest policies, a literal instead of a compound, no optional attribute ...), and a
 * tape that runs out reads as zeros. So when fast-check shrinks the tape (values toward 0), the generated world
 * shrinks structurally: this is Hypothesis' "internal shrinking", and it keeps shrinking valid for inputs that
 * depend on earlier choices (policies that fit the generated schema), which plain combinator shrinking cannot.
 */
export class Chooser {
  private i = 0;
  constructor(private readonly tape: ArrayLike<number>) {}

  /** How many choices were read (to size the tape). */
  get used(): number {
    return this.i;
  }

  private next(): number {
    return this.i < this.tape.length ? this.tape[this.i++]! : (this.i++, 0);
  }

  /** 0 ≤ n < bound. */
  int(bound: number): number {
    return bound <= 1 ? (this.next(), 0) : this.next() % bound;
  }

  /** lo ≤ n ≤ hi. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p; a zero tape value reads false. */
  chance(p: number): boolean {
    return this.next() % 10_000 >= Math.round((1 - p) * 10_000);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** Weighted choice among named options; the first listed is the simplest (chosen on a zero). */
  weighted<K extends string>(options: ReadonlyArray<readonly [K, number]>): K {
    const total = options.reduce((s, [, w]) => s + w, 0);
    let r = this.next() % total;
    for (const [k, w] of options) {
      if (r < w) return k;
      r -= w;
    }
    return options[0]![0];
  }

  /** A few distinct members of xs, order kept. */
  subset<T>(xs: readonly T[], min: number, max: number): T[] {
    const n = Math.min(xs.length, this.range(min, Math.min(max, xs.length)));
    const pool = [...xs];
    const out: T[] = [];
    while (out.length < n) out.push(pool.splice(this.int(pool.length), 1)[0]!);
    return out;
  }
}
