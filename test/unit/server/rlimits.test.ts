// /proc/PID/limits rows as supervisord's minfds/minprocs check reads them.
import { describe, expect, it } from 'vitest';
import { raiseLimits, readLimit } from '../../../src/server/rlimits.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max processes             96369                unlimited            processes 
Max open files            1024                 524288               files     
`;

describe('rlimits', () => {
  it('reads soft and hard limits, unlimited as Infinity', () => {
    expect(readLimit(LIMITS, 'Max open files')).toEqual([1024, 524288]);
    expect(readLimit(LIMITS, 'Max processes')).toEqual([96369, Infinity]);
    expect(readLimit(LIMITS, 'Max locked memory')).toBeUndefined();
  });

  it('changes nothing and logs nothing when the limits are already above the minimums', () => {
    expect(raiseLimits(1, 1)).toEqual([]);
  });
});
