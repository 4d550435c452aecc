// Runs the PWA's form checker (pwa/js/forms/check.js) over a fixtures file and prints
// {fixture name: checkAnswers result} as JSON, so a pytest test can compare it with the server's
// checker. Usage: node tests/forms/run_js_checker.mjs <fixtures.json>
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

// check.js is a browser module with no package.json around it saying "type": "module", which
// older Node 20 releases would then read as CommonJS; a data: URL is always read as a module.
const source = readFileSync(join(root, 'pwa', 'js', 'forms', 'check.js'), 'utf8');
const { checkAnswers } = await import(`data:text/javascript,${encodeURIComponent(source)}`);

const fixturesPath = process.argv[2];
if (!fixturesPath) {
  process.stderr.write('usage: node run_js_checker.mjs <fixtures.json>\n');
  process.exit(2);
}

// The limits both checkers share, from their one home (the server reads the same file).
const { $comment, ...limits } = readJson(join(root, 'shared_schemas', 'vocabulary.json')).limits;

const results = {};
for (const fixture of readJson(fixturesPath).fixtures) {
  // A fixture names a published form, or carries its own definition to test a corner of the rules.
  // "form" is "<form_id>/v<N>", the file's path under shared_schemas/forms.
  const form = fixture.definition ?? readJson(join(root, 'shared_schemas', 'forms', `${fixture.form}.json`));
  results[fixture.name] = checkAnswers(form, fixture.payload, limits);
}
process.stdout.write(JSON.stringify(results));
