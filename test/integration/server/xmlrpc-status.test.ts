// getAllProcessInfo over HTTP: its entries are made while the response is written (a LiveEncoded),
// which must not change what a caller sees — the same list as the manager's, and, inside a
// system.multicall, the state at the call's own place in the sequence, not at encoding time.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResponse, encodeMethodCall, encodeResponse } from '../../../src/xmlrpc/codec.js';
import type { XmlRpcEncodable } from '../../../src/xmlrpc/types.js';
import { serveRoutes } from '../../helpers/api-server.js';
import { SH } from '../../helpers/conformance.js';
import { createTestManager } from '../../helpers/manager.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function served() {
  const pm = createTestManager();
  cleanups.push(() => pm.shutdown());
  for (const name of ['b', 'a', 'c']) pm.addProcessGroup({ name, command: SH.sleep, startsecs: 0, autostart: false });
  const api = await serveRoutes(pm, []);
  cleanups.push(api.close);
  const rpcValue = async (method: string, ...params: XmlRpcEncodable[]): Promise<unknown> => {
    const res = await fetch(`${api.base}/RPC2`, { method: 'POST', body: encodeMethodCall(method, params), headers: { 'content-type': 'text/xml' } });
    expect(res.status).toBe(200);
    return decodeResponse(await res.text());
  };
  const rpcText = async (method: string): Promise<string> => {
    const res = await fetch(`${api.base}/RPC2`, { method: 'POST', body: encodeMethodCall(method, []), headers: { 'content-type': 'text/xml' } });
    expect(res.status).toBe(200);
    return res.text();
  };
  return { pm, rpcValue, rpcText };
}

/** The response text with `now` and uptimes blanked: they may move on by a second between two reads. */
const timeless = (xml: string) => xml.replace(/(<name>now<\/name>\n<value><int>)\d+/g, '$1N').replace(/uptime \d+:\d\d:\d\d/g, 'uptime U');

type Info = { name: string; statename: string };

describe('getAllProcessInfo over XML-RPC', () => {
  it('is the manager’s list, entry for entry, in name order', async () => {
    const { pm, rpcValue } = await served();
    await pm.startProcess('b');
    const [over, direct] = [await rpcValue('supervisor.getAllProcessInfo'), pm.getAllProcessInfo()];
    expect((over as Info[]).map((p) => p.name)).toEqual(['a', 'b', 'c']);
    // `now` and the uptime in `description` may have moved on by a second between the two reads
    const stable = (list: unknown) => (list as Record<string, unknown>[]).map(({ now: _now, description: _d, ...rest }) => rest);
    expect(stable(over)).toEqual(stable(direct));
    expect((over as Info[]).map((p) => p.statename)).toEqual(['STOPPED', 'RUNNING', 'STOPPED']);
  });

  it('is, byte for byte, what the encoder makes of the manager’s list, through every change of a process', async () => {
    const { pm, rpcText } = await served();
    const direct = () => timeless(encodeResponse(pm.getAllProcessInfo() as unknown as XmlRpcEncodable));
    const same = async () => expect(timeless(await rpcText('supervisor.getAllProcessInfo'))).toBe(direct());
    await same();
    await pm.startProcess('b');
    await same();
    await pm.stopProcess('b');
    await same();
    await pm.startProcess('b');
    await same();
    // a group replaced by one of the same name whose log settings differ; one that cannot start
    pm.removeProcessGroup('c');
    pm.addProcessGroup({ name: 'c', command: SH.sleep, startsecs: 0, autostart: false, stdout_logfile: 'NONE' });
    pm.addProcessGroup({ name: 'd', command: ['/bin/sh', '-c', 'exit 3'], startsecs: 5, startretries: 0, autostart: false });
    await expect(pm.startProcess('d')).rejects.toThrow();
    const text = await rpcText('supervisor.getAllProcessInfo');
    expect(text).toContain('Exited too quickly');
    expect(timeless(text)).toBe(direct());
  });

  it('inside system.multicall it shows the state at its place: before a later stop, then after it', async () => {
    const { pm, rpcValue } = await served();
    await pm.startProcess('a');
    const call = (methodName: string, ...params: XmlRpcEncodable[]) => ({ methodName, params });
    const [before, stopped, after] = (await rpcValue('system.multicall', [
      call('supervisor.getAllProcessInfo'),
      call('supervisor.stopProcess', 'a', true),
      call('supervisor.getAllProcessInfo'),
    ])) as [Info[], boolean, Info[]];
    expect(stopped).toBe(true);
    expect(before.find((p) => p.name === 'a')?.statename).toBe('RUNNING');
    expect(after.find((p) => p.name === 'a')?.statename).toBe('STOPPED');
  });
});
