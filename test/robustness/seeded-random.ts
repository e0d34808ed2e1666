/**
 * A small seeded pseudo-random source (mulberry32), so a failing fuzz run can be replayed exactly
 * with the seed it printed.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [minimum, maximum]. */
  integer(minimum: number, maximum: number): number {
    return minimum + Math.floor(this.next() * (maximum - minimum + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A string of `length` characters drawn from `alphabet`. */
  text(length: number, alphabet: string): string {
    const characters = Array.from(alphabet);
    let result = '';
    for (let index = 0; index < length; index += 1) result += this.pick(characters);
    return result;
  }
}

/** The seed of this run: SWITCHYARD_FUZZ_SEED when set (to replay a failure), else a fixed one. */
export function fuzzSeed(): number {
  const fromEnvironment = Number(process.env.SWITCHYARD_FUZZ_SEED);
  return Number.isInteger(fromEnvironment) ? fromEnvironment : 20_250_914;
}
