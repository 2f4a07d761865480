import { DependencyCycleError } from '../errors.js';

/**
 * Orders apps so each comes after everything it depends on (stable: config order otherwise).
 * Throws {@link DependencyCycleError} naming the cycle.
 */
export function dependencyOrder<T extends { name: string; dependsOn: readonly string[] }>(apps: readonly T[]): T[] {
  const byName = new Map(apps.map((a) => [a.name, a]));
  const done = new Set<string>();
  const visiting: string[] = [];
  const order: T[] = [];
  const visit = (app: T): void => {
    if (done.has(app.name)) return;
    const at = visiting.indexOf(app.name);
    if (at !== -1) throw new DependencyCycleError([...visiting.slice(at), app.name]);
    visiting.push(app.name);
    for (const dep of app.dependsOn) {
      const target = byName.get(dep);
      if (target) visit(target);
    }
    visiting.pop();
    done.add(app.name);
    order.push(app);
  };
  for (const app of apps) visit(app);
  return order;
}

/** Every app that `name` depends on, directly or not. */
export function dependenciesOf<T extends { name: string; dependsOn: readonly string[] }>(apps: readonly T[], name: string): Set<string> {
  const byName = new Map(apps.map((a) => [a.name, a]));
  const out = new Set<string>();
  const walk = (n: string): void => {
    for (const d of byName.get(n)?.dependsOn ?? []) {
      if (!out.has(d)) {
        out.add(d);
        walk(d);
      }
    }
  };
  walk(name);
  return out;
}
