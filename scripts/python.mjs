// The Python the repository's Python parts run with (the pytest tier, the benchmark's PyTorch peer):
// STP_PYTHON if set, else the first of python3 and /usr/bin/python3 that imports the modules asked
// for (a pyenv shim named python3 may shadow Debian's python3-torch).
import { spawnSync } from 'node:child_process';

/** The first Python that imports every module in `modules`, or null. */
export function findPython(modules = ['torch']) {
  const probe = `import ${modules.join(', ')}`;
  return [process.env.STP_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean).find((py) => spawnSync(py, ['-c', probe], { encoding: 'utf8' }).status === 0) ?? null;
}

/** What to install when findPython finds none. */
export const PYTHON_HINT = 'apt install python3-torch python3-numpy python3-pytest (or STP_PYTHON=/path/to/python with torch, numpy and pytest)';
