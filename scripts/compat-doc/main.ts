/**
 * `npm run compat-doc`: regenerates docs/compatibility.md from Svix's OpenAPI documents, Herald's own and the
 * port of Svix's tests. `--check` writes nothing and fails when the committed file is not what it would write.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generate, OUTPUT, readInputs } from './generate.js';

const root = process.cwd();
const text = await generate(root, await readInputs(root));
const output = path.join(root, OUTPUT);
if (process.argv.includes('--check')) {
  if (fs.readFileSync(output, 'utf8') !== text) {
    console.error(`${OUTPUT} is out of date: run npm run compat-doc`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(output, text);
  console.log(`wrote ${OUTPUT}`);
}
