import { composeExporter } from './compose.js';
import { kubernetesExporter } from './kubernetes.js';
import { systemdExporter } from './systemd.js';
import type { Exporter, ExportTarget } from './types.js';

/** Every exporter, by target. */
export const exporters: Record<ExportTarget, Exporter> = {
  systemd: systemdExporter,
  compose: composeExporter,
  kubernetes: kubernetesExporter,
} as Record<ExportTarget, Exporter>;
