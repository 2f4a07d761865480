// The parts of `pg` objects the backend uses, described by shape so that neither this package nor its
// type declarations depend on `pg` (a `pg.Pool`, `pg.Client` or `PoolClient` fits them).

/** One result of `query`. */
export interface PgResultLike {
  rows: Record<string, unknown>[];
}

/** The part of a `pg.Client` (or a pool's client) the backend uses. */
export interface PgClientLike {
  query(text: string, values?: unknown[]): Promise<PgResultLike>;
  /** A named (prepared once per connection) statement. */
  query(config: { name: string; text: string; values?: unknown[] }): Promise<PgResultLike>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'end', listener: () => void): unknown;
  end?(): Promise<void>;
  /** Process id the server (or a proxy in between) announced at connect time. */
  readonly processID?: number | null;
  readonly host?: string;
  readonly port?: number;
  readonly database?: string | undefined;
  readonly user?: string | undefined;
}

/** A client checked out of a `pg.Pool`. */
export interface PgPoolClientLike extends PgClientLike {
  /** Returns it to the pool; with an error or `true`, the pool closes it instead. */
  release(destroy?: boolean | Error): void;
}

/** The part of a `pg.Pool` the backend uses. */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>;
  readonly options?: { host?: string; port?: number; database?: string; user?: string; connectionString?: string };
}
