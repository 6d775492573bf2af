// Types of scripts/reproduction-report.mjs for the unit test that imports it.
export function writeReport(resultsDir: string, paths?: { report?: string; summary?: string }): { file: string; done: number; total: number };
export function finishedRuns(resultsDir: string, summary?: string): Set<string>;
