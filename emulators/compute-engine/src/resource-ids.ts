// Numeric resource ids as Compute Engine hands them out: unsigned 64-bit decimals, unique within
// one emulator, sent as JSON strings (they do not fit a JavaScript number).

export class ResourceIds {
  #next = BigInt(Date.now()) * 1_000_000n;

  next(): string {
    this.#next += 1n + BigInt(Math.floor(Math.random() * 997));
    return this.#next.toString();
  }
}
