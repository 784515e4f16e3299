// Validates a JSON document against a JSON Schema (draft 2020-12) with ajv.
// Usage: node validate_artifact.mjs NODE_MODULES_DIR SCHEMA.json DOCUMENT.json
// Exit 0 when valid; 1 with the first errors on stderr when not; 2 on usage errors.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [modules, schemaPath, docPath] = process.argv.slice(2);
if (!modules || !schemaPath || !docPath) {
  console.error('usage: validate_artifact.mjs NODE_MODULES SCHEMA DOCUMENT');
  process.exit(2);
}
const require = createRequire(path.join(modules, 'index.js'));
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats');

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
const doc = JSON.parse(readFileSync(docPath, 'utf8'));
if (validate(doc)) {
  console.log('valid');
  process.exit(0);
}
for (const e of validate.errors.slice(0, 20)) {
  console.error(`${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
process.exit(1);
