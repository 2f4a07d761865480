/**
 * Package version marker; the public API of this package lands with its issue.
 * @internal
 */
export const __pmPackage = true;
