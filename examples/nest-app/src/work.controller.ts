import { Controller, Get, Inject, Injectable, Query } from '@nestjs/common';
import { PmService } from '@pm/adapter-nest';

/** Counts requests doing work; contributes them to /health through PmService (no decorator needed). */
@Injectable()
export class WorkCounters {
  active = 0;
  total = 0;

  // @Inject(Token) on every parameter: the build (esbuild) emits no decorator metadata.
  constructor(@Inject(PmService) pm: PmService) {
    pm.addInfo(() => ({ activeRequests: this.active, totalRequests: this.total }));
  }
}

@Controller()
export class WorkController {
  constructor(@Inject(WorkCounters) private readonly work: WorkCounters) {}

  @Get()
  hello(): Record<string, unknown> {
    return { hello: 'world', pid: process.pid };
  }

  /** Answers after ?ms=N milliseconds: start one, send SIGTERM, and watch it finish before the exit. */
  @Get('slow')
  async slow(@Query('ms') ms?: string): Promise<Record<string, unknown>> {
    const wait = Math.min(Math.max(Number(ms) || 0, 0), 60_000);
    this.work.active++;
    this.work.total++;
    try {
      await new Promise((resolve) => setTimeout(resolve, wait));
      return { slept: wait, pid: process.pid };
    } finally {
      this.work.active--;
    }
  }
}
