// Runs a test file under a fixed TZ (supervisord's descriptions format local times), restoring the
// caller's value afterwards.
import { afterAll, beforeAll } from 'vitest';

export function useTimeZone(tz: string): void {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.TZ;
    process.env.TZ = tz;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}
