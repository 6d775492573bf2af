// Comparing runs: several runs' histories merged on one step axis for an overlay chart (one line
// per run), and the plan of a sparsity sweep (the same setup at several sparsities, one line per
// method) with its results as chart rows (x = sparsity).
import { parseConfig, type ExperimentConfig } from '../config';
import type { HistoryRow } from './history';

export type CompareMetric = 'testAccuracy' | 'trainAccuracy' | 'loss' | 'itop' | 'density';

export interface CompareChart {
  /** One row per step: { step, run0, run1, … } (a run without a value at that step has none). */
  rows: Record<string, number>[];
  lines: { key: string; name: string }[];
}

/** At most `maxPoints` evenly spaced rows of a history (the last one kept). */
function thin(rows: readonly HistoryRow[], maxPoints: number): HistoryRow[] {
  if (rows.length <= maxPoints) return [...rows];
  const every = Math.ceil(rows.length / maxPoints);
  return rows.filter((_, i) => i % every === 0 || i === rows.length - 1);
}

export function compareChart(series: readonly { name: string; rows: readonly HistoryRow[] }[], metric: CompareMetric, maxPoints = 300): CompareChart {
  const byStep = new Map<number, Record<string, number>>();
  series.forEach((s, i) => {
    for (const r of thin(s.rows, maxPoints)) {
      const v = r[metric];
      if (v === null || !Number.isFinite(v)) continue;
      const row = byStep.get(r.step) ?? { step: r.step };
      row[`run${i}`] = v;
      byStep.set(r.step, row);
    }
  });
  return { rows: [...byStep.values()].sort((a, b) => a.step! - b.step!), lines: series.map((s, i) => ({ key: `run${i}`, name: s.name })) };
}

export type SweepMethod = 'static' | 'set' | 'rigl' | 'snfs';

export interface SweepPoint {
  method: SweepMethod;
  sparsity: number;
  config: ExperimentConfig;
}

/**
 * The runs of a sparsity sweep: `base` with each method at each sparsity, one model each (the
 * ensemble mode is set to none; everything else is kept). Throws naming a point that the schema
 * refuses (for example a mask source that needs other settings).
 */
export function sweepPlan(base: ExperimentConfig, methods: readonly SweepMethod[], sparsities: readonly number[]): SweepPoint[] {
  return methods.flatMap((method) =>
    sparsities.map((sparsity) => {
      const input = { ...structuredClone(base), dst: { ...base.dst, method }, sparsity: { ...base.sparsity, target: sparsity }, ensemble: { mode: 'none', members: 1 } };
      const r = parseConfig(input);
      if (!r.ok) throw new Error(`${method} at ${(sparsity * 100).toFixed(0)} %: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
      return { method, sparsity, config: r.config };
    }),
  );
}

export interface SweepResult {
  method: SweepMethod;
  sparsity: number;
  accuracy: number;
}

/** Chart rows: one per sparsity (ascending), a column per method with its final test accuracy. */
export function sweepRows(results: readonly SweepResult[]): Record<string, number>[] {
  const by = new Map<number, Record<string, number>>();
  for (const r of results) {
    const row = by.get(r.sparsity) ?? { sparsity: r.sparsity };
    row[r.method] = r.accuracy;
    by.set(r.sparsity, row);
  }
  return [...by.values()].sort((a, b) => a.sparsity! - b.sparsity!);
}
