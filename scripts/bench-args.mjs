// The command-line options both benchmarks take: --quick, --reps R, --target-ms T, --out FILE,
// --only ID,ID (training benchmark: just those cases) and (kernel benchmark only) --iters N.
import { resolve } from 'node:path';

export function parseBenchArgs(argv, { usage, out, iters = false }) {
  const o = { quick: false, iters: null, reps: null, targetMs: null, only: null, out };
  const int = (flag, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got "${v}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--iters' && iters) o.iters = int(a, argv[++i]);
    else if (a === '--only') o.only = argv[++i] ?? '';
    else if (a === '--reps') o.reps = int(a, argv[++i]);
    else if (a === '--target-ms') o.targetMs = int(a, argv[++i]);
    else if (a === '--out') o.out = resolve(process.cwd(), argv[++i] ?? '');
    else if (a === '--help' || a === '-h') {
      console.log(usage);
      process.exit(0);
    } else throw new Error(`unknown argument "${a}"\n${usage}`);
  }
  return o;
}
