/**
 * Bytes waiting to be cut into fixed-size chunks. Input pieces are kept as they arrive and
 * handed out as slices, so a stream fed one byte at a time costs O(n), not the O(n²) of
 * concatenating every piece onto a growing buffer.
 */
export class ChunkQueue {
  #pieces: Buffer[] = [];
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(piece: Buffer): void {
    if (piece.length === 0) return;
    this.#pieces.push(piece);
    this.#length += piece.length;
  }

  /** Removes the first `n` bytes (n ≤ length) and returns them as slices of the input pieces. */
  take(n: number): Buffer[] {
    if (n > this.#length) throw new RangeError(`take(${n}) with ${this.#length} bytes queued`);
    const taken: Buffer[] = [];
    let needed = n;
    while (needed > 0) {
      const first = this.#pieces[this.#head] as Buffer;
      if (first.length <= needed) {
        taken.push(first);
        this.#head += 1;
        needed -= first.length;
      } else {
        taken.push(first.subarray(0, needed));
        this.#pieces[this.#head] = first.subarray(needed);
        needed = 0;
      }
    }
    this.#length -= n;
    // Dropping consumed pieces in batches keeps take() amortised O(1) per piece.
    if (this.#head > 64 && this.#head * 2 > this.#pieces.length) {
      this.#pieces = this.#pieces.slice(this.#head);
      this.#head = 0;
    }
    return taken;
  }
}

/** The pieces as one buffer, copying only when there is more than one. */
export function joined(pieces: Buffer[]): Buffer {
  return pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
}
