import { composeExporter } from './compose.js';
import { kubernetesExporter } from './kubernetes.js';
import { pm2Exporter } from './pm2.js';
import { procfileExporter } from './procfile.js';
import { systemdExporter } from './systemd.js';
import { tmuxExporter } from './tmux.js';
import type { Exporter, ExportTarget } from './types.js';

/** Every exporter, by target. */
export const exporters: Record<ExportTarget, Exporter> = {
  systemd: systemdExporter,
  compose: composeExporter,
  kubernetes: kubernetesExporter,
  tmux: tmuxExporter,
  procfile: procfileExporter,
  pm2: pm2Exporter,
};
