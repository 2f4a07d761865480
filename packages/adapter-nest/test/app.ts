import { existsSync } from 'node:fs';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Query,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { PmCheck, PmInfo, PmService } from '@pm/adapter-nest';

/** Where the test app writes what happened, in order; tokens keep it injectable without metadata. */
export const EVENTS = 'EVENTS';
export const LOCK_PATH = 'LOCK_PATH';

/** A database-style provider: its check and info are found through the decorators. */
@Injectable()
export class DbService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  connected = false;
  constructor(
    @Inject(EVENTS) private readonly events: string[],
    @Inject(LOCK_PATH) private readonly lockPath: string,
  ) {}

  onModuleInit() {
    this.events.push(`db connect (lock ${existsSync(this.lockPath) ? 'held' : 'absent'})`);
    this.connected = true;
  }

  @PmCheck('db', { timeout: 500 })
  ping() {
    if (!this.connected) throw new Error('not connected');
  }

  @PmInfo()
  info() {
    return { databaseStatus: this.connected ? 'connected' : 'disconnected' };
  }

  onModuleDestroy() {
    this.events.push(`db destroy (lock ${existsSync(this.lockPath) ? 'held' : 'absent'})`);
    this.connected = false;
  }

  onApplicationShutdown(signal?: string) {
    this.events.push(`db shutdown ${signal ?? ''}(lock ${existsSync(this.lockPath) ? 'held' : 'absent'})`.replace('  ', ' '));
  }
}

/** Contributes info through the injectable service instead of a decorator. */
@Injectable()
export class AgentsService implements BeforeApplicationShutdown {
  active = 2;
  constructor(
    @Inject(PmService) pm: PmService,
    @Inject(EVENTS) private readonly events: string[],
  ) {
    pm.addInfo(() => ({ activeAgents: this.active }));
  }

  beforeApplicationShutdown() {
    this.events.push('agents stop');
  }
}

@Controller()
export class WorkController {
  @Get('slow')
  async slow(@Query('ms') ms: string) {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return { slept: Number(ms) };
  }
}

/** The app's feature module (not global: its hooks run between PmModule's). */
@Module({ providers: [DbService, AgentsService], controllers: [WorkController] })
export class FeatureModule {}
