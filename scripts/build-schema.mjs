#!/usr/bin/env node
// `npm run schema`: writes the files the Python package reads that are generated from the
// TypeScript sources, so the two sides cannot drift apart unnoticed:
//   python/sparse_playground/experiment-config.schema.json  the config's JSON Schema (src/config/json-schema.ts)
//   tests/python/fixtures/reference.json                    values the Python side must reproduce (tests/python/reference.ts)
// tests/unit/config/json-schema.test.ts fails when a committed copy is not what this script writes.
// The reference needs the MNIST binaries: `npm run data` first (this script's pre-step).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from 'vite';

const root = resolve(import.meta.dirname, '..');
const server = await createServer({ root, server: { middlewareMode: true }, appType: 'custom', logLevel: 'error' });
try {
  const schema = await server.ssrLoadModule('/src/config/json-schema.ts');
  const reference = await server.ssrLoadModule('/tests/python/reference.ts');
  writeFileSync(resolve(root, schema.JSON_SCHEMA_FILE), schema.experimentJsonSchemaText());
  writeFileSync(resolve(root, reference.REFERENCE_FILE), reference.pythonReferenceText(root));
  console.log(`wrote ${schema.JSON_SCHEMA_FILE} and ${reference.REFERENCE_FILE}`);
} finally {
  await server.close();
}
