import type { BackendHandle } from '../backend.js';
import { LockCompromisedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { LossReport } from '../loss-report.js';
import type { LockConnection } from './connection.js';
import type { LockKey, Statements } from './sql.js';

/** What a session handle needs to know about its lock. */
export interface SessionInput {
  connection: LockConnection;
  key: LockKey;
  sql: Statements;
  /** Parameters of the release statement: key, name, instanceId, application_name to restore. */
  releaseValues: unknown[];
  checkInterval: number;
  location: string;
  logger: Logger;
  /** Called once when the lock ends for good (released or lost). */
  onEnd: () => void;
}

/**
 * A session advisory lock held on a dedicated connection. The server frees it when the session ends,
 * so this side only has to notice that: the connection's error/end events report a drop at once, and a
 * periodic check (which also proves the session still holds the key) catches one that hangs.
 */
export class PostgresSessionHandle implements BackendHandle {
  readonly location: string;
  private state: 'held' | 'lost' | 'released' = 'held';
  private timer: NodeJS.Timeout | undefined;
  private readonly loss: LossReport;
  private readonly onError = (error: Error) => this.lose(`its connection failed (${error.message})`, error);
  private readonly onEndEvent = () => this.lose('its connection was closed');

  constructor(private readonly input: SessionInput) {
    this.location = input.location;
    this.loss = new LossReport(input.logger);
    input.connection.client.on('error', this.onError);
    input.connection.client.on('end', this.onEndEvent);
    this.schedule();
  }

  watch(onLost: (error: Error) => void): void {
    this.loss.watch(onLost);
  }

  async release(): Promise<void> {
    if (this.state !== 'held') return; // released twice, or lost: the server already let go
    this.state = 'released';
    this.stop();
    const { connection, sql, releaseValues } = this.input;
    let clean = false;
    try {
      const { rows } = await connection.query(sql.release, releaseValues);
      clean = rows[0]?.unlocked === true;
    } catch (error) {
      // Closing the connection below ends the session, which frees the lock on the server anyway.
      this.input.logger.warn({ location: this.location, err: String(error) }, 'could not unlock cleanly; closing the connection instead');
    } finally {
      connection.close(!clean);
      this.input.onEnd();
    }
  }

  private schedule(): void {
    if (this.state !== 'held') return;
    this.timer = setTimeout(() => void this.check(), this.input.checkInterval);
    this.timer.unref();
  }

  /** Never throws: runs from a timer. */
  private async check(): Promise<void> {
    if (this.state !== 'held') return;
    const { connection, sql, key } = this.input;
    try {
      const { rows } = await connection.query(sql.check, [key.classid, key.objid]);
      if (this.state !== 'held') return;
      if (rows[0]?.held === true) {
        this.schedule();
        return;
      }
      this.lose(
        `its session (backend ${String(rows[0]?.pid)}) no longer holds the advisory lock: it was unlocked on this connection ` +
          '(pg_advisory_unlock_all, DISCARD ALL) or the connection goes through a transaction-mode pooler',
      );
    } catch (error) {
      this.lose(`its connection did not answer a check (${(error as Error)?.message ?? String(error)})`, error);
    }
  }

  private lose(why: string, cause?: unknown): void {
    if (this.state !== 'held') return;
    this.state = 'lost';
    this.stop();
    // The session may be alive but unusable (hung, or holding nothing): closing it guarantees the
    // server frees whatever it still holds, so the next holder is not kept out.
    const { connection, key } = this.input;
    connection.close(true);
    if (connection.origin === 'user') {
      // The user's client is not ours to close. If it was only slow (a long query of theirs ahead of
      // our check), unlock once it gets to it, so its session does not keep the lock we gave up.
      connection.client.query('SELECT pg_advisory_unlock($1::bigint)', [key.key]).catch(() => undefined);
    }
    this.input.onEnd();
    const error = new LockCompromisedError(
      `The PostgreSQL advisory lock ${this.location} is lost: ${why}. Another process may hold it now; stop work that needs it.`,
      cause === undefined ? undefined : { cause },
    );
    this.loss.report(error);
  }

  private stop(): void {
    clearTimeout(this.timer);
    const { client } = this.input.connection;
    client.removeListener('error', this.onError);
    client.removeListener('end', this.onEndEvent);
  }
}
