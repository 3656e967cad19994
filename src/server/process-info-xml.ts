// getAllProcessInfo for thousands of processes. Of an entry's 14 members only `now` and
// `description` change from one call to the next while nothing happens (the clock moves); the
// rest change when the process does. Each process's entry is therefore encoded once into a
// template and filled in at each call: a few pieces per entry instead of ~60, and no garbage but
// the two open members' text.
import type { ProcessManager } from '../supervisor/manager.js';
import type { ProcessInfo } from '../supervisor/process-info.js';
import { StructTemplate } from '../xmlrpc/encode.js';
import { LazyArray, type Encoded } from '../xmlrpc/types.js';

const OPEN = ['description', 'now'];

/**
 * Templates by process name, for one manager; a template that no longer fits is made anew (so a
 * name found in two groups costs a new template at each call, and stays right).
 */
class Templates {
  readonly #byName = new Map<string, { template: StructTemplate; call: number }>();
  #calls = 0;

  *encode(infos: Iterable<ProcessInfo>): Generator<Encoded, void, undefined> {
    const call = ++this.#calls;
    let seen = 0;
    for (const info of infos) {
      let entry = this.#byName.get(info.name);
      if (!entry) this.#byName.set(info.name, (entry = { template: new StructTemplate(info, OPEN), call }));
      else if (!entry.template.fits(info)) entry.template = new StructTemplate(info, OPEN);
      entry.call = call;
      seen++;
      yield entry.template.fill(info);
    }
    // Processes that are gone (removed groups) are forgotten.
    if (this.#byName.size > seen) for (const [name, entry] of this.#byName) if (entry.call !== call) this.#byName.delete(name);
  }
}

const perManager = new WeakMap<ProcessManager, Templates>();

/** getAllProcessInfo's answer: every process's entry, each encoded as the response is written. */
export function processInfoList(pm: ProcessManager): LazyArray {
  let templates = perManager.get(pm);
  if (!templates) perManager.set(pm, (templates = new Templates()));
  return new LazyArray(templates.encode(pm.processInfos()));
}
