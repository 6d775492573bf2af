#!/usr/bin/env node
// npm run test:lessons [-- --seeds N]: the lesson tier alone. Trains every lesson's runs to the end
// on N seeds (default 1, the lesson's own; 3 for the committed table) and checks every claim; with
// N ≥ 3 it then rewrites the measured table of docs/LESSONS.md (scripts/lessons-report.mjs).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
let seeds = 1;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--seeds') seeds = Number(args[++i]);
  else if (args[i] === '--help' || args[i] === '-h') {
    console.log('usage: npm run test:lessons [-- --seeds N]   (N from 1 to 10; N >= 3 rewrites docs/LESSONS.md)');
    process.exit(0);
  } else {
    console.error(`unknown option "${args[i]}" (usage: npm run test:lessons [-- --seeds N])`);
    process.exit(2);
  }
}
if (!Number.isInteger(seeds) || seeds < 1 || seeds > 10) {
  console.error(`--seeds needs a whole number from 1 to 10, got "${args[args.indexOf('--seeds') + 1]}"`);
  process.exit(2);
}
rmSync('test-results/lessons', { recursive: true, force: true });
const r = spawnSync(join('node_modules', '.bin', 'vitest'), ['run', '--project', 'lessons'], { stdio: 'inherit', env: { ...process.env, STP_LESSON_SEEDS: String(seeds) } });
if (seeds >= 3) spawnSync(process.execPath, ['scripts/lessons-report.mjs'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
