#!/usr/bin/env node
// `npm run test:python`: the Python tier (tests/python: the PyTorch package against the TypeScript
// engine's numbers, training runs, two-process DDP). Extra arguments go to pytest. Needs the
// dataset binaries (`npm run data`) and a Python with torch, numpy and pytest (scripts/python.mjs).
import { spawnSync } from 'node:child_process';
import { PYTHON_HINT, findPython } from './python.mjs';

const python = findPython(['torch', 'numpy', 'pytest']);
if (!python) {
  console.error(`the Python tier needs torch, numpy and pytest: ${PYTHON_HINT}`);
  process.exit(1);
}
const r = spawnSync(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/python', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
