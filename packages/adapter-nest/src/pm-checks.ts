import { Injectable } from '@nestjs/common';
import {
  diskCheck,
  eventLoopCheck,
  httpCheck,
  memoryCheck,
  pingCheck,
  postgresCheck,
  redisCheck,
  tcpCheck,
  underPressure,
} from '@pm/health';

/**
 * The built-in checks of `@pm/health` as an injectable provider, for code that builds its checks
 * from injected dependencies (where `@nestjs/terminus` users inject `TypeOrmHealthIndicator` or
 * `HealthIndicatorService`):
 * `constructor(@Inject(PmChecks) checks: PmChecks, @Inject(PmService) pm: PmService) { pm.addCheck('db', checks.postgresCheck(pool)); }`.
 * The members are the `@pm/health` factories themselves (same names, same options).
 */
@Injectable()
export class PmChecks {
  /** `SELECT 1` on a `pg` Pool or Client; latency and pool counts. */
  readonly postgresCheck = postgresCheck;
  /** `PING` on an ioredis or node-redis client; fails at once when the client knows it is down. */
  readonly redisCheck = redisCheck;
  /** A dependency's health URL, judged by its status code. */
  readonly httpCheck = httpCheck;
  /** A TCP port that accepts connections. */
  readonly tcpCheck = tcpCheck;
  /** Free space on a file system. */
  readonly diskCheck = diskCheck;
  /** The process's rss and heap. */
  readonly memoryCheck = memoryCheck;
  /** The process's event-loop delay and utilization. */
  readonly eventLoopCheck = eventLoopCheck;
  /** Anything else (Prisma, TypeORM, Mongoose, a queue). */
  readonly pingCheck = pingCheck;
  /** Load shedding, for `PmModule.forRoot({ health: { pressure } })` built in a `forRootAsync` factory. */
  readonly underPressure = underPressure;
}
