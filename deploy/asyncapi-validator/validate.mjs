// Validates AsyncAPI documents with the official parser (@asyncapi/parser): the specification's
// JSON Schema, the bindings' schemas (Kafka's included) and the parser's own rules (references
// resolve, operations name messages of their channel, ids are unique …).
// Usage: node validate.mjs FILE...  Prints every finding; exits 1 if any is an error.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';

const SEVERITY = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'information',
  [DiagnosticSeverity.Hint]: 'hint',
};

const parser = new Parser();
let failed = false;
for (const file of process.argv.slice(2)) {
  const source = resolve(file);
  const { document, diagnostics } = await parser.parse(await readFile(source, 'utf8'), { source });
  for (const finding of diagnostics) {
    console.log(`${file}: ${SEVERITY[finding.severity]} ${finding.code}: ${finding.message} ` +
                `at /${finding.path.join('/')}`);
  }
  if (document === undefined || diagnostics.some((d) => d.severity === DiagnosticSeverity.Error)) {
    failed = true;
    console.log(`${file}: invalid`);
  } else {
    console.log(`${file}: valid AsyncAPI ${document.version()}`);
  }
}
process.exit(failed ? 1 : 0);
