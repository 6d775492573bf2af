// Byte sizes for people: 512 B, 240 KiB, 3.1 MiB, 148 MiB, 2 GiB, 1.5 GiB. One formatter for the
// GPU limits badge and the run's memory estimate.
export function formatBytes(n: number): string {
  const at = (unit: number, name: string) => {
    const v = n / unit;
    return `${v < 10 && !Number.isInteger(v) ? v.toFixed(1) : Math.round(v)} ${name}`;
  };
  if (n >= 2 ** 30) return at(2 ** 30, 'GiB');
  if (n >= 2 ** 20) return at(2 ** 20, 'MiB');
  if (n >= 2 ** 10) return at(2 ** 10, 'KiB');
  return `${n} B`;
}
