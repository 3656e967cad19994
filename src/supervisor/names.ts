// Namespecs: `name` (group and process of the same name), `group:name`, `group:*` / `group:`.

export interface Namespec {
  group: string;
  /** The process name, or null when the whole group is addressed. */
  process: string | null;
}

/** supervisord's split_namespec. */
export function parseNamespec(namespec: string): Namespec {
  const i = namespec.indexOf(':');
  if (i < 0) return { group: namespec, process: namespec };
  const group = namespec.slice(0, i);
  const process = namespec.slice(i + 1);
  return { group, process: process === '' || process === '*' ? null : process };
}

/** `name` when group and process share it, else `group:name` (supervisord's make_namespec). */
export function makeNamespec(group: string, process: string): string {
  return group === process ? group : `${group}:${process}`;
}

/** A process's key in reload plans and port allocations: always `group:name`. */
export function processKey(group: string, process: string): string {
  return `${group}:${process}`;
}

/** Two names in the order getAllProcessInfo lists them (UTF-16 code unit by code unit). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
