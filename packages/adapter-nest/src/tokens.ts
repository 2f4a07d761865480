/** Injection token of the resolved {@link PmModuleOptions} (internal: inject `PmService` instead). */
export const PM_OPTIONS = Symbol.for('@pm/adapter-nest:options');
/** Injection token of the health controller's paths. */
export const PM_PATHS = Symbol.for('@pm/adapter-nest:paths');
/** Metadata key set by `@PmCheck()`. */
export const PM_CHECK = '@pm/adapter-nest:check';
/** Metadata key set by `@PmInfo()`. */
export const PM_INFO = '@pm/adapter-nest:info';
/** Metadata key marking the module's health controller (never shed under pressure). */
export const PM_CONTROLLER = '@pm/adapter-nest:controller';
