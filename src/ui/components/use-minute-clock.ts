import { useEffect, useState } from 'react';

const MINUTE_MS = 60_000;

/**
 * The time now, moved on at each turn of the minute. Ages and countdowns are shown to the
 * minute, and an idle console draws only what changed: read at render time, they stood still
 * until something else happened.
 */
export function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(
        () => {
          setNow(Date.now());
          arm();
        },
        MINUTE_MS - (Date.now() % MINUTE_MS),
      );
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  }, []);
  return now;
}
