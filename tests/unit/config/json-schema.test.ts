// The files generated for the Python package (`npm run schema`) must be what the TypeScript
// sources give today: the config's JSON Schema and the cross-language reference values.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_FILE, experimentJsonSchema, experimentJsonSchemaText } from '../../../src/config/json-schema';
import { REFERENCE_FILE, pythonReferenceText } from '../../python/reference';

const ROOT = resolve(__dirname, '../../..');
const stale = (file: string) => `${file} is stale: run \`npm run schema\` and commit the result`;

describe('files generated for the Python package', () => {
  it('the committed JSON Schema is the one the zod schema gives', () => {
    expect(readFileSync(resolve(ROOT, JSON_SCHEMA_FILE), 'utf8') === experimentJsonSchemaText(), stale(JSON_SCHEMA_FILE)).toBe(true);
  });

  it('the JSON Schema is strict and carries the defaults a reader fills in', () => {
    const s = experimentJsonSchema() as { additionalProperties?: boolean; properties: Record<string, { default?: unknown; oneOf?: unknown[] }> };
    expect(s.additionalProperties).toBe(false);
    expect(Object.keys(s.properties)).toEqual(['version', 'seed', 'data', 'model', 'sparsity', 'dst', 'training', 'ensemble', 'tost']);
    expect(s.properties.data?.default).toEqual({ dataset: 'spiral' });
    expect(s.properties.model?.oneOf?.length).toBe(3); // mlp, the LeNets, the CIFAR models (Python only)
  });

  it('the committed reference values are what the TypeScript code computes', () => {
    expect(readFileSync(resolve(ROOT, REFERENCE_FILE), 'utf8') === pythonReferenceText(ROOT), stale(REFERENCE_FILE)).toBe(true);
  }, 60_000);
});
