/** A fixed-capacity buffer that keeps the newest `capacity` items: memory stays flat however many are pushed. */
export class RingBuffer<T> {
  private items: (T | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.next - this.count + i + this.capacity) % this.capacity]!);
    return out;
  }

  get size(): number {
    return this.count;
  }
}
