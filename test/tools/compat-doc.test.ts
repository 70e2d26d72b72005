/**
 * docs/compatibility.md is generated (npm run compat-doc) from Svix's OpenAPI documents, Herald's own and the port
 * of Svix's tests; this fails when the committed page is not what the generator makes of them now, so a route
 * added or a Svix test fixed without regenerating the page is caught.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate, OUTPUT, readInputs, type Inputs } from '../../scripts/compat-doc/generate.js';
import { operationsOf } from '../../scripts/compat-doc/operations.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('docs/compatibility.md', () => {
  let inputs: Inputs;
  let generated: string;
  beforeAll(async () => {
    inputs = await readInputs(ROOT);
    generated = await generate(ROOT, inputs);
  });

  it('is what npm run compat-doc generates from the contracts, the OpenAPI document and the Svix tests', () => {
    const committed = fs.readFileSync(path.join(ROOT, OUTPUT), 'utf8');
    // toBe would print the whole page; a failure names the first line that differs instead.
    const first = committed.split('\n').findIndex((line, i) => line !== generated.split('\n')[i]);
    expect(
      committed === generated,
      `${OUTPUT} is out of date at line ${first + 1}: run npm run compat-doc and commit the result`,
    ).toBe(true);
  });

  it("lists every operation of both Svix documents with Herald's standing", () => {
    for (const document of [inputs.full, inputs.openSource])
      for (const { method, path: route } of operationsOf(document)) {
        const row = generated
          .split('\n')
          .find((line) => line.startsWith(`| \`${method.toUpperCase()} ${route}\``));
        expect(row, `${method} ${route}`).toMatch(/\| (supported|planned|not supported: .+) +\|$/);
      }
  });

  it('lists each ported Svix test that differs or cannot apply, with its reason', () => {
    const todo = inputs.tests.flatMap((file) => file.todo.map((test) => ({ file, test })));
    const skipped = inputs.tests.flatMap((file) => file.skipped.map((test) => ({ file, test })));
    expect(skipped.length).toBeGreaterThan(0);
    for (const { file, test } of [...todo, ...skipped]) {
      expect(generated).toContain(`${file.svixFile}::${test.name}`);
      expect(test.note.length).toBeGreaterThan(10);
    }
  });
});
