// The training history the charts draw: one row per logged step, kept short by halving. When
// the list reaches `capacity` rows, every second row is dropped and the logging stride doubles,
// so a run of any length keeps between capacity/2 and capacity evenly spaced rows (recharts stays
// fast, and nothing is recomputed per step). The CSV export gets the same rows.

export interface HistoryRow {
  step: number;
  epoch: number;
  /** Mean over the trained models of this step's batch loss and accuracy. */
  loss: number;
  trainAccuracy: number;
  /** The latest held-out evaluation at or before this step (null before the first). */
  testAccuracy: number | null;
  testLoss: number | null;
  lr: number;
  density: number;
  /** Cumulative training FLOPs / those of dense training for as many steps. */
  flopsRatio: number;
  /** Cumulative training FLOPs (all models). */
  trainingFlops: number;
  itop: number | null;
}

export interface History {
  rows: HistoryRow[];
  /** Log every `stride`-th step. */
  stride: number;
}

export const HISTORY_CAPACITY = 600;

export function emptyHistory(): History {
  return { rows: [], stride: 1 };
}

/** Adds rows whose step falls on the stride (a new History object: the store sees the change). */
export function appendHistory(h: History, rows: readonly HistoryRow[], capacity = HISTORY_CAPACITY): History {
  let out = h.rows.slice();
  let stride = h.stride;
  for (const r of rows) {
    if (r.step % stride !== 0) continue;
    out.push(r);
    if (out.length >= capacity) {
      stride *= 2;
      out = out.filter((x) => x.step % stride === 0);
    }
  }
  return { rows: out, stride };
}

const CSV_COLUMNS: readonly (keyof HistoryRow)[] = ['step', 'epoch', 'loss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'lr', 'density', 'itop', 'flopsRatio', 'trainingFlops'];

/** The history as CSV: a header, then one line per logged step (empty cells for nulls). */
export function historyCsv(rows: readonly HistoryRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => (r[c] === null ? '' : String(r[c]))).join(','));
  return lines.join('\n') + '\n';
}
