#!/usr/bin/env node
// Lists the surviving and uncovered mutants of a package's last mutation report:
//   node scripts/survivors.mjs <package> [file-substring]
import { readFileSync } from 'node:fs';

const [name, filter = ''] = process.argv.slice(2);
if (!name) {
  process.stderr.write('usage: node scripts/survivors.mjs <package> [file-substring]\n');
  process.exit(2);
}
const report = JSON.parse(
  readFileSync(new URL(`../reports/mutation/${name}/mutation.json`, import.meta.url), 'utf8'),
);
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  if (!file.includes(filter)) continue;
  const lines = source.split('\n');
  for (const m of mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const { line, column } = m.location.start;
    const text = (lines[line - 1] ?? '').trim().slice(0, 110);
    process.stdout.write(
      `${m.status === 'Survived' ? 'S' : 'N'} ${file.replace(/^packages\//, '')}:${line}:${column} ${m.mutatorName} → ${JSON.stringify(m.replacement ?? '').slice(0, 60)}\n    ${text}\n`,
    );
  }
}
