// procvisor's own commands for orchestrators (supervisorctl has none): `health` and `ready` ask the
// daemon's GET /healthz and /readyz and exit 0 when the answer is good, 1 when not (or when the
// daemon cannot be reached), printing the JSON answer — for Docker HEALTHCHECK and exec probes.
import http from 'node:http';
import { parseServerUrl } from '../xmlrpc/client.js';
import { EXIT, type Command, type Controller } from './ctl-controller.js';

interface Answer {
  status: number;
  body: string;
}

function get(ctl: Controller, path: string, timeoutMs: number): Promise<Answer> {
  const { serverurl, username, password } = ctl.options;
  const address = parseServerUrl(serverurl);
  const headers: Record<string, string> = {};
  if (username && password) headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const target = address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
  return new Promise((resolve, reject) => {
    const req = http.get({ ...target, path, headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    req.on('error', reject);
  });
}

function probe(path: '/healthz' | '/readyz', name: string): Command {
  return async (ctl, arg) => {
    const seconds = arg.trim() === '' ? 5 : Number(arg.trim());
    if (!(seconds > 0)) {
      ctl.output(`Error: ${name} takes an optional timeout in seconds, got ${JSON.stringify(arg.trim())}`);
      ctl.exitstatus = EXIT.INVALID_ARGS;
      return;
    }
    let answer: Answer;
    try {
      answer = await get(ctl, path, seconds * 1000);
    } catch (e) {
      ctl.output(`${ctl.options.serverurl}: ${(e as Error).message}`);
      ctl.exitstatus = EXIT.GENERIC;
      return;
    }
    ctl.output(answer.body.trimEnd() || `HTTP ${answer.status}`);
    if (answer.status !== 200) ctl.exitstatus = EXIT.GENERIC;
  };
}

/** `health [TIMEOUT]`: exit 0 when the supervisor is up and answering. */
export const doHealth: Command = probe('/healthz', 'health');
/** `ready [TIMEOUT]`: exit 0 when every autostart program (or the configured list) is RUNNING. */
export const doReady: Command = probe('/readyz', 'ready');
