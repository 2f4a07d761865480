// Quoting for the three syntaxes the exporters write. Hand-written: each is a few lines and a library
// for any of them would still need the other two.

/** Quotes a word for a POSIX shell (single quotes; a `'` inside becomes `'\''`). Plain words stay bare. */
export function shQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line for a POSIX shell. */
export function shJoin(words: readonly string[]): string {
  return words.map(shQuote).join(' ');
}

/**
 * Quotes a word for a systemd `ExecStart=`-style line: `%` is a specifier and `$` an environment
 * reference there, so both are doubled; words with blanks or quotes are double-quoted with C escapes.
 */
export function systemdQuote(word: string): string {
  const escaped = word.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (/^[A-Za-z0-9_./:=@%$+,-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

/** A systemd command line. */
export function systemdJoin(words: readonly string[]): string {
  return words.map(systemdQuote).join(' ');
}

/** One `Environment=` assignment, quoted so blanks, quotes and `%` survive. */
export function systemdEnv(name: string, value: string): string {
  const pair = `${name}=${value}`.replaceAll('%', '%%');
  return `"${pair.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}
