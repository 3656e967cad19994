// The control-plane floor: a bare Node HTTP server on a unix socket that answers every POST with a
// canned XML-RPC body (a getAllProcessInfo response of the same size as the real one), so the
// bench's client measures only transport + parse. Usage: node rpc-echo.mjs <socket> <bodyfile>
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';

const [sock, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);
rmSync(sock, { force: true });
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': body.length });
    res.end(body);
  });
}).listen(sock, () => process.stdout.write('ready\n'));
