// A value that follows `value` at most once every `ms` milliseconds while `throttle` is true, and
// at once when it is false. The training curves use it: redrawing five SVG charts ten times a
// second took about a quarter of the training rate on a 2-core machine without a GPU (the
// software renderer shares the cores). They redraw once a second, which still shows a curve grow:
// at twice a second the five charts took about a quarter of the main thread's time in a lesson's
// run, and that run trained at 0.70-0.72 of the headless runner's rate against 0.73-0.76 at once
// a second (npm run bench:page, docs/BENCHMARKS.md).
import { useEffect, useRef, useState } from 'react';

export function useThrottled<T>(value: T, ms: number, throttle: boolean): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (!throttle) {
      last.current = performance.now();
      setShown(value);
      return;
    }
    const wait = last.current + ms - performance.now();
    const timer = setTimeout(
      () => {
        last.current = performance.now();
        setShown(value);
      },
      Math.max(0, wait),
    );
    return () => clearTimeout(timer);
  }, [value, ms, throttle]);
  return throttle ? shown : value;
}

/**
 * `value`, shown `ms` later while `delay` is true (at once when it is false): the training curves
 * stagger their redraws with it, so that each chart renders in a task of its own instead of all
 * five in one task of about 100 ms (measured by npm run bench:page).
 */
export function useDelayed<T>(value: T, ms: number, delay: boolean): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (!delay || ms <= 0) {
      setShown(value);
      return;
    }
    const timer = setTimeout(() => setShown(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms, delay]);
  return delay && ms > 0 ? shown : value;
}
