// procvisor's own limits on its HTTP servers (supervisord has none): a request body over 2 MB gets
// 413 and leaves running programs alone; malformed XML and an entity-expansion ("billion laughs")
// payload get 400 at once; the daemon keeps answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_PROCVISOR, LiveDaemon, PREAMBLE, fixture, methodCall, postRaw, rawRequest } from './daemon-pair.js';

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value><string>&lol9;</string></value></param></params></methodCall>`;

describe.skipIf(!HAVE_PROCVISOR)('procvisor HTTP limits', () => {
  const d = new LiveDaemon('procvisor');
  const target = () => ({ socketPath: d.socket });

  beforeAll(async () => {
    d.writeConfig(PREAMBLE + fixture('limits.conf'));
    d.start();
    await d.ready((infos) => infos.every((i) => i.statename === 'RUNNING'));
  }, 15_000);

  afterAll(async () => {
    const left = await d.stop();
    d.remove();
    expect(left, 'processes started by the daemon still alive').toEqual([]);
  }, 15_000);

  it('a request body over 2 MB gets 413; running programs are untouched', async () => {
    const before = await d.info('sleeper');
    const huge = Buffer.from(methodCall('supervisor.stopProcess', ['x'.repeat(3 * 1024 * 1024)]));
    const r = await postRaw(target(), { 'Content-Type': 'text/xml', 'Content-Length': String(huge.length) }, huge);
    expect(r.status).toBe(413);
    const after = await d.info('sleeper');
    expect([after.statename, after.pid]).toEqual(['RUNNING', before.pid]);
    expect(await d.value('supervisor.getAPIVersion')).toBe('3.0');
  });

  it('so does a body over 2 MB sent chunked (no Content-Length)', async () => {
    const huge = Buffer.from(methodCall('supervisor.stopProcess', ['x'.repeat(3 * 1024 * 1024)]));
    const size = huge.length.toString(16);
    const chunked = Buffer.concat([Buffer.from(`${size}\r\n`), huge, Buffer.from('\r\n0\r\n\r\n')]);
    const r = await postRaw(target(), { 'Content-Type': 'text/xml', 'Transfer-Encoding': 'chunked' }, chunked);
    expect(r.status).toBe(413);
    expect((await d.info('sleeper')).statename).toBe('RUNNING');
  });

  it('malformed XML gets 400 at once', async () => {
    const r = await rawRequest(target(), { body: '<?xml version="1.0"?><methodCall><methodName>x</methodName><params>' });
    expect(r.status).toBe(400);
    expect(r.ms).toBeLessThan(1_000);
  });

  it('an entity-expansion (billion laughs) payload gets 400 at once', async () => {
    const r = await rawRequest(target(), { body: BILLION_LAUGHS });
    expect(r.status).toBe(400);
    expect(r.ms).toBeLessThan(1_000);
    expect(await d.value('supervisor.getAPIVersion')).toBe('3.0');
    expect((await d.info('sleeper')).statename).toBe('RUNNING');
  });
});
