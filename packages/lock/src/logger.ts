import { resolveLogger as resolveNamed, type Logger } from '@pm/kernel/logger';

export type { Logger } from '@pm/kernel/logger';

/** The user's logger, else a debug logger when PROCESS_MANAGER_DEBUG=true, else silence. Read at call time, never at import. */
export const resolveLogger = (logger: Logger | undefined): Logger => resolveNamed(logger, '@pm/lock');
