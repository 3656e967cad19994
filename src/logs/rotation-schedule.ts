// When a time-rotated log file rotates next: at the top of every hour, or every day at a given
// hour, in local time (following daylight-saving changes) or in UTC.

export interface RotationSchedule {
  every: 'hourly' | 'daily';
  /** The hour (0-23) of the daily rotation; ignored for hourly. */
  hour: number;
  /** Boundaries in UTC instead of local time. */
  utc: boolean;
}

/** The first rotation time strictly after `epochMs`, in epoch milliseconds. */
export function nextRotation(epochMs: number, s: RotationSchedule): number {
  const d = new Date(epochMs);
  if (s.every === 'hourly') {
    if (s.utc) d.setUTCMinutes(0, 0, 0);
    else d.setMinutes(0, 0, 0);
    // Local hours are not all 60 minutes apart across a DST change: step by wall-clock hours
    // until the boundary is past.
    while (d.getTime() <= epochMs) {
      if (s.utc) d.setUTCHours(d.getUTCHours() + 1);
      else d.setTime(d.getTime() + 3_600_000);
    }
    return d.getTime();
  }
  const at = (day: Date) => {
    const c = new Date(day.getTime());
    if (s.utc) c.setUTCHours(s.hour, 0, 0, 0);
    else c.setHours(s.hour, 0, 0, 0);
    return c;
  };
  let candidate = at(d);
  for (let i = 1; candidate.getTime() <= epochMs; i++) {
    const next = new Date(epochMs);
    if (s.utc) next.setUTCDate(next.getUTCDate() + i);
    else next.setDate(next.getDate() + i);
    candidate = at(next);
  }
  return candidate.getTime();
}
