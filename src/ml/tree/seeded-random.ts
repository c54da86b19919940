/**
 * A small, fast, seedable generator (splitmix32) for everything random in tree training — split sampling,
 * feature subsets, forest seeds — so that a seed reproduces a model bit for bit on any machine.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // Fold any safe integer (Spark seeds are 64-bit) into 32 bits without losing its high part.
    const hi = Math.floor(seed / 4294967296);
    this.state = (seed ^ Math.imul(hi | 0, 0x27d4eb2d)) | 0;
  }

  /** Uniform in [0, 1). */
  nextDouble(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor(this.nextDouble() * bound);
  }

  /** A 31-bit seed for a derived generator. */
  nextSeed(): number {
    return Math.floor(this.nextDouble() * 2147483647);
  }

  /** k distinct values of [0, n), sorted (a node's feature subset). */
  sampleWithoutReplacement(n: number, k: number): Int32Array {
    const pool = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + this.nextInt(n - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    return pool.slice(0, k).sort();
  }
}
