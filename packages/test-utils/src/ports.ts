import getPort from 'get-port';

/** A free TCP port on 127.0.0.1, chosen by get-port. */
export function freePort(): Promise<number> {
  return getPort({ host: '127.0.0.1' });
}
