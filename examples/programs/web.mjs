// A tiny web server on loopback: answers every request with "hello from <pid>".
import { createServer } from 'node:http';
const port = Number(process.env.PORT ?? 8080);
createServer((req, res) => res.end(`hello from ${process.pid}\n`)).listen(port, '127.0.0.1', () => {
  console.log(`web listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
