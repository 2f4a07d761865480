import { describePortHolder } from '@pm/lock';
import { OrchestratorErrorCodes, PmOrchestratorError, type PortHolder } from './errors.js';

// Apart from errors.ts: this one needs @pm/lock at run time, which the CLI's light verbs (pm status,
// called in loops) must not pay for loading.

/** Thrown before starting an app whose fixed port is already taken. */
export class PortInUseError extends PmOrchestratorError {
  /** The busy port. */
  readonly port: number;
  /** The app that wanted it. */
  readonly app: string;
  /** The process holding it, when known. */
  readonly holder: PortHolder | null;

  constructor(app: string, port: number, holder: PortHolder | null) {
    const named = describePortHolder(holder);
    const who = named ? ` by ${named}` : '';
    super(
      OrchestratorErrorCodes.portInUse,
      `Port ${port} wanted by "${app}" is already in use${who}. ` +
        `Stop that process (\`pm free-port ${port} --kill\`), or give "${app}" another port or port: "auto".`,
    );
    this.port = port;
    this.app = app;
    this.holder = holder;
  }
}
