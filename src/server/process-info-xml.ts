// getAllProcessInfo for thousands of processes. Of an entry's 14 members only `now` and
// `description` change from one call to the next while nothing happens (the clock moves); the
// rest change when the process does. Each process's entry is therefore encoded once into a
// template and filled in at each call: a few pieces per entry instead of ~60, and no garbage but
// the two open members' text. The list writes itself as the response is written, each entry made
// and written in turn.
import type { ProcessManager } from '../supervisor/manager.js';
import type { ProcessInfo } from '../supervisor/process-info.js';
import { StructTemplate } from '../xmlrpc/encode.js';
import { LiveEncoded, type EncodeSink, type XmlRpcEncodable } from '../xmlrpc/types.js';

const OPEN = ['description', 'now'];

/**
 * Templates by process name, for one manager; a template that no longer fits is made anew (so a
 * name found in two groups costs a new template at each call, and stays right).
 */
class Templates {
  readonly #byName = new Map<string, { template: StructTemplate; call: number }>();
  #calls = 0;

  /** Writes each entry's `<value>` and a line break after it, as the encoder writes an array's items. */
  writeAll(out: EncodeSink, infos: Iterable<ProcessInfo>): void {
    const call = ++this.#calls;
    let seen = 0;
    for (const info of infos) {
      let entry = this.#byName.get(info.name);
      if (!entry) this.#byName.set(info.name, (entry = { template: new StructTemplate(info, OPEN), call }));
      else if (!entry.template.fits(info)) entry.template = new StructTemplate(info, OPEN);
      entry.call = call;
      seen++;
      entry.template.write(out, info);
      out.push('\n');
    }
    // Processes that are gone (removed groups) are forgotten.
    if (this.#byName.size > seen) for (const [name, entry] of this.#byName) if (entry.call !== call) this.#byName.delete(name);
  }
}

const perManager = new WeakMap<ProcessManager, Templates>();

/** Every process's entry as an XML-RPC array, made as it is written. */
class ProcessInfoList extends LiveEncoded {
  constructor(
    readonly pm: ProcessManager,
    readonly templates: Templates,
  ) {
    super();
  }
  writeTo(out: EncodeSink): void {
    out.push('<value><array><data>\n');
    this.templates.writeAll(out, this.pm.processInfos());
    out.push('</data></array></value>');
  }
  snapshot(): XmlRpcEncodable {
    return this.pm.getAllProcessInfo() as unknown as XmlRpcEncodable;
  }
}

/** getAllProcessInfo's answer: every process's entry, each encoded as the response is written. */
export function processInfoList(pm: ProcessManager): LiveEncoded {
  let templates = perManager.get(pm);
  if (!templates) perManager.set(pm, (templates = new Templates()));
  return new ProcessInfoList(pm, templates);
}
