import { closeSync, constants, openSync } from 'node:fs';
import { basename, dirname } from 'node:path';

// A Unix socket address holds at most 108 bytes on Linux and 104 on macOS (sun_path, with its NUL).
// Lock folders can be deeper than that, so a long path is reached through a descriptor of its
// folder (/proc/self/fd/<fd>/<name>): the kernel resolves that link to the folder itself.
const MAX_ADDRESS_BYTES = 100;

/** A socket address for `path` that fits; `close()` frees the folder descriptor it may hold. */
export interface UnixAddress {
  readonly address: string;
  close(): void;
}

/** Opens an address for the socket at `path`; throws ENAMETOOLONG where a long path cannot be reached. */
export function openUnixAddress(path: string): UnixAddress {
  if (Buffer.byteLength(path) <= MAX_ADDRESS_BYTES) return { address: path, close: () => undefined };
  const name = basename(path);
  if (process.platform !== 'linux' || Buffer.byteLength(name) > MAX_ADDRESS_BYTES - 30) {
    const error: NodeJS.ErrnoException = new Error(`the socket path ${path} is longer than a Unix socket address allows`);
    error.code = 'ENAMETOOLONG';
    throw error;
  }
  const fd = openSync(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
  let open = true;
  return {
    address: `/proc/self/fd/${fd}/${name}`,
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
