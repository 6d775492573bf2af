// The experiment config as a JSON Schema (draft 2020-12), generated from the zod schema: the
// contract the Python package (python/sparse_playground) validates a config against. It describes
// what a person may write (zod's input side: every field optional, with its default), so a reader
// fills the defaults in the same way parseConfig does. `npm run schema` writes it to
// python/sparse_playground/experiment-config.schema.json; a unit test checks the committed copy
// is current (tests/unit/config/json-schema.test.ts).
//
// What JSON Schema cannot say and stays in TypeScript alone: the cross-field rules (rules.ts,
// e.g. "sparse storage refuses SNFS") and the strictly increasing milestones refinement. The
// Python side checks the rules it needs itself and refuses what it cannot honour by name.
import { z } from 'zod';
import { CONFIG_VERSION, ExperimentConfig } from './schema';

export const JSON_SCHEMA_FILE = 'python/sparse_playground/experiment-config.schema.json';

export function experimentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ExperimentConfig, { io: 'input', target: 'draft-2020-12' });
  return {
    ...schema,
    $id: `https://sparse-training-playground/experiment-config/v${CONFIG_VERSION}.schema.json`,
    title: `Sparse Training Playground experiment config, version ${CONFIG_VERSION}`,
    description: 'Generated from src/config/schema.ts by `npm run schema`; do not edit. Field meanings: docs/CONFIG.md.',
  };
}

/** The file's text: 2-space JSON and a final newline (what the unit test compares). */
export function experimentJsonSchemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;
}
