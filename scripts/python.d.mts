// Types of scripts/python.mjs for the tests that import it.
export function findPython(modules?: string[]): string | null;
export const PYTHON_HINT: string;
