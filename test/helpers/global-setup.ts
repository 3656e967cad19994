// Runs once around the whole vitest run. Fixture children are started without
// NODE_EXTRA_CA_CERTS (it costs ~90 ms per Node start), and a missing supervisord is announced.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  delete process.env.NODE_EXTRA_CA_CERTS;
  try {
    execFileSync('supervisord', ['--version'], { stdio: 'ignore' });
  } catch {
    process.stdout.write(
      '\nNOTICE: supervisord is not installed: differential tests against the real supervisord are skipped.\n' +
        '        Install it with `apt-get install -y supervisor` to run them (CI does).\n\n',
    );
  }
}
