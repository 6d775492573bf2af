// Enforces the import direction of docs/ARCHITECTURE.md §2 by reading every import line under src/:
//   util <- reference, data, sparsity, config <- gpu <- engine <- ensemble <- viz, state <- ui
// gpu knows nothing of layers or masks (it imports util alone); engine never imports state, React
// or zustand; state never imports gpu or viz; ui imports values from state and viz only (types from anywhere); shaders/*.wgsl
// are imported by gpu alone. main.tsx is the composition root and may import anything.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const SRC = join(ROOT, 'src');

const LAYERS = ['util', 'reference', 'data', 'sparsity', 'config', 'gpu', 'engine', 'ensemble', 'viz', 'state', 'ui'] as const;
type Layer = (typeof LAYERS)[number];

/** Project layers each layer may import values from (besides itself). */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  util: [],
  reference: ['util'],
  data: ['util'],
  sparsity: ['util'],
  config: ['util'],
  gpu: ['util'],
  engine: ['util', 'reference', 'data', 'sparsity', 'config', 'gpu'],
  ensemble: ['util', 'reference', 'data', 'sparsity', 'config', 'gpu', 'engine'],
  viz: ['util', 'reference', 'data', 'sparsity', 'config', 'gpu', 'engine', 'ensemble'],
  state: ['util', 'reference', 'data', 'sparsity', 'config', 'engine', 'ensemble'],
  ui: ['state', 'viz'],
};

/** npm packages a layer may import (anything not listed here is allowed everywhere). */
const UI_PACKAGES = ['react', 'react-dom', 'recharts'];
const PACKAGE_OWNERS: Record<string, readonly Layer[]> = {
  react: ['ui'],
  'react-dom': ['ui'],
  recharts: ['ui'],
  zustand: ['state', 'ui'],
};

interface ImportLine {
  file: string;
  spec: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

export function importsOf(file: string, text: string): ImportLine[] {
  const out: ImportLine[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[4] ?? m[5]!;
    const clause = m[3] ?? '';
    // `import { type A, type B }` is type-only too.
    const allTypeNames = /^\{[^}]*\}$/.test(clause.trim()) && clause.replace(/[{}\s]/g, '').split(',').filter(Boolean).every((n) => n.startsWith('type'));
    out.push({ file, spec, typeOnly: !!m[2] || allTypeNames });
  }
  return out;
}

function layerOf(path: string): Layer | 'root' | null {
  const rel = relative(SRC, path);
  if (rel.startsWith('..')) return null;
  const top = rel.split(/[\\/]/)[0]!;
  return (LAYERS as readonly string[]).includes(top) ? (top as Layer) : 'root';
}

interface SourceFile {
  path: string;
  text: string;
}

function violations(files: SourceFile[]): string[] {
  const problems: string[] = [];
  for (const { path: file, text } of files) {
    const from = layerOf(file);
    if (from === 'root' || from === null) continue; // main.tsx: composition root
    for (const imp of importsOf(file, text)) {
      const where = `${relative(ROOT, file)} imports '${imp.spec}'`;
      if (imp.spec.startsWith('.')) {
        const target = resolve(dirname(file), imp.spec);
        if (target.includes(`${join(ROOT, 'shaders')}`)) {
          if (from !== 'gpu') problems.push(`${where}: only src/gpu may import shaders`);
          continue;
        }
        const to = layerOf(target);
        if (to === null || to === 'root') {
          problems.push(`${where}: imports from outside the layers`);
          continue;
        }
        if (to === from) continue;
        if (from === 'ui' && imp.typeOnly) continue;
        if (!ALLOWED[from].includes(to)) problems.push(`${where}: ${from} may not import ${to}`);
      } else {
        const pkg = imp.spec.startsWith('@') ? imp.spec.split('/').slice(0, 2).join('/') : imp.spec.split('/')[0]!;
        const owners = PACKAGE_OWNERS[pkg];
        if (owners && !owners.includes(from) && !imp.typeOnly) problems.push(`${where}: only ${owners.join(', ')} may import ${pkg}`);
      }
    }
  }
  return problems;
}

describe('import direction (docs/ARCHITECTURE.md §2)', () => {
  it('holds for every file under src/', () => {
    const files = sourceFiles(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    expect(files.length).toBeGreaterThan(10);
    expect(violations(files)).toEqual([]);
  });

  it('flags imports that go the wrong way', () => {
    const planted: SourceFile[] = [
      { path: join(SRC, 'engine/bad.ts'), text: "import { appStore } from '../state';\nimport { create } from 'zustand';" },
      { path: join(SRC, 'state/bad.ts'), text: "import { acquireGpu } from '../gpu';" },
      { path: join(SRC, 'ui/bad.tsx'), text: "import { trainer } from '../engine';\nimport type { Trainer } from '../engine';" },
      { path: join(SRC, 'util/bad.ts'), text: "import src from '../../shaders/dense.wgsl?raw';" },
      { path: join(SRC, 'gpu/bad.ts'), text: "import { CHANGE } from '../reference/mask-codes';\nimport { activeCount } from '../sparsity';" },
      { path: join(SRC, 'state/bad-viz.ts'), text: "import { renderMaskImages } from '../viz';" },
      { path: join(SRC, 'main.tsx'), text: "import { acquireGpu } from './gpu';" },
    ];
    expect(violations(planted)).toEqual([
      "src/engine/bad.ts imports '../state': engine may not import state",
      "src/engine/bad.ts imports 'zustand': only state, ui may import zustand",
      "src/state/bad.ts imports '../gpu': state may not import gpu",
      "src/ui/bad.tsx imports '../engine': ui may not import engine",
      "src/util/bad.ts imports '../../shaders/dense.wgsl?raw': only src/gpu may import shaders",
      "src/gpu/bad.ts imports '../reference/mask-codes': gpu may not import reference",
      "src/gpu/bad.ts imports '../sparsity': gpu may not import sparsity",
      "src/state/bad-viz.ts imports '../viz': state may not import viz",
    ]);
  });

  it('sees real imports, so the check above can fail', () => {
    const sample = [
      "import { a } from '../state';",
      "import type { B } from '../gpu';",
      "import { type C, type D } from '../engine';",
      "export * from './x';",
      "import './app.css';",
    ].join('\n');
    const found = importsOf('x.ts', sample);
    expect(found.map((i) => [i.spec, i.typeOnly])).toEqual([
      ['../state', false],
      ['../gpu', true],
      ['../engine', true],
      ['./x', false],
      ['./app.css', false],
    ]);
    expect(UI_PACKAGES.every((p) => PACKAGE_OWNERS[p]?.includes('ui'))).toBe(true);
  });
});
