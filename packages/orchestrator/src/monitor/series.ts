/** One point of an app's usage history. */
export interface UsagePoint {
  /** Epoch ms (second precision). */
  t: number;
  /** CPU % (100 = one core); over a minute point, the mean of its samples. */
  cpu: number;
  /** Resident memory in bytes; over a minute point, the mean of its samples. */
  memory: number;
  /** Minute points only: the highest resident memory sampled in that minute, in bytes. */
  memoryMax?: number;
}

/** Seconds kept at full (1 s) resolution. */
export const FINE_POINTS = 600;
/** Minutes kept at 1 min resolution (24 h). */
export const COARSE_POINTS = 1440;

/**
 * A fixed-size ring of points in typed arrays (no object per point, so a day of history is a few
 * flat buffers, allocated once). Memory is stored in KiB: RSS is a whole number of pages, so this is exact.
 */
class PointRing {
  readonly seconds: Uint32Array;
  readonly cpu: Float32Array;
  readonly memoryKib: Uint32Array;
  readonly memoryMaxKib: Uint32Array | null;
  private next = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    withMax: boolean,
  ) {
    this.seconds = new Uint32Array(capacity);
    this.cpu = new Float32Array(capacity);
    this.memoryKib = new Uint32Array(capacity);
    this.memoryMaxKib = withMax ? new Uint32Array(capacity) : null;
  }

  push(second: number, cpu: number, memoryKib: number, memoryMaxKib = memoryKib): void {
    const i = this.next;
    this.seconds[i] = second;
    this.cpu[i] = cpu;
    this.memoryKib[i] = memoryKib;
    if (this.memoryMaxKib) this.memoryMaxKib[i] = memoryMaxKib;
    this.next = (i + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Oldest first, those at or after `sinceSecond`. */
  points(sinceSecond = 0): UsagePoint[] {
    const out: UsagePoint[] = [];
    for (let k = 0; k < this.count; k++) {
      const i = (this.next - this.count + k + this.capacity) % this.capacity;
      if (this.seconds[i]! < sinceSecond) continue;
      const point: UsagePoint = { t: this.seconds[i]! * 1000, cpu: Math.round(this.cpu[i]! * 10) / 10, memory: this.memoryKib[i]! * 1024 };
      if (this.memoryMaxKib) point.memoryMax = this.memoryMaxKib[i]! * 1024;
      out.push(point);
    }
    return out;
  }

  get bytes(): number {
    return this.seconds.byteLength + this.cpu.byteLength + this.memoryKib.byteLength + (this.memoryMaxKib?.byteLength ?? 0);
  }
}

/**
 * An app's cpu/memory history: the last {@link FINE_POINTS} seconds at 1 s, and the last
 * {@link COARSE_POINTS} minutes at 1 min (mean cpu, mean and peak memory of the minute's samples).
 * Its size is fixed at construction: see {@link UsageSeries.bytes}.
 */
export class UsageSeries {
  private readonly fine = new PointRing(FINE_POINTS, false);
  private readonly coarse = new PointRing(COARSE_POINTS, true);
  /** The minute being accumulated: its start (epoch s), sums and peak. */
  private minute = -1;
  private samples = 0;
  private cpuSum = 0;
  private memorySum = 0;
  private memoryMax = 0;

  /** Adds a sample taken at epoch ms `time`; a minute point is closed when a sample of a later minute arrives. */
  add(time: number, cpu: number, memoryBytes: number): void {
    const second = Math.floor(time / 1000);
    const kib = Math.round(memoryBytes / 1024);
    this.fine.push(second, cpu, kib);
    const minute = second - (second % 60);
    if (minute !== this.minute) {
      this.flushMinute();
      this.minute = minute;
    }
    this.samples++;
    this.cpuSum += cpu;
    this.memorySum += kib;
    this.memoryMax = Math.max(this.memoryMax, kib);
  }

  /** The 1 s points at or after epoch ms `since`, oldest first. */
  seconds(since = 0): UsagePoint[] {
    return this.fine.points(Math.ceil(since / 1000));
  }

  /** The 1 min points at or after epoch ms `since`, oldest first, with the minute in progress last. */
  minutes(since = 0): UsagePoint[] {
    const out = this.coarse.points(Math.ceil(since / 1000));
    if (this.samples > 0 && this.minute * 1000 >= since) out.push(this.currentMinute());
    return out;
  }

  /** Bytes held by the series' buffers: constant, whatever the number of samples added. */
  get bytes(): number {
    return this.fine.bytes + this.coarse.bytes;
  }

  private currentMinute(): UsagePoint {
    const cpu = Math.round((this.cpuSum / this.samples) * 10) / 10;
    return { t: this.minute * 1000, cpu, memory: Math.round(this.memorySum / this.samples) * 1024, memoryMax: this.memoryMax * 1024 };
  }

  private flushMinute(): void {
    if (this.samples > 0)
      this.coarse.push(this.minute, this.cpuSum / this.samples, Math.round(this.memorySum / this.samples), this.memoryMax);
    this.samples = 0;
    this.cpuSum = 0;
    this.memorySum = 0;
    this.memoryMax = 0;
  }
}
