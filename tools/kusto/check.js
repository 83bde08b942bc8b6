// Checks the KQL that `caac monitor` and `caac replay --kql` write with Microsoft's own Kusto
// language service (@kusto/language-service-next, the parser and semantic
// analyser behind the Kusto editors;
// https://learn.microsoft.com/kusto/api/netfx/about-kusto-language).
//
// Usage: node check.js DIR...   (DIR holds .kql files: `caac monitor -o DIR`, `caac replay --kql -o DIR/x.kql`)
//
// Contract: every query in every .kql file (queries are separated by blank
// lines; comment-only blocks are the file header) is parsed and analysed
// against the tables in tables.json, whose columns and types come from the
// Azure Monitor table reference. Any diagnostic of severity Error is printed
// as FILE:LINE:COLUMN: CODE message (the line in the .kql file) and makes the
// exit code 1; 0 means every query parsed and bound with no error. Before
// the real files, two known-bad queries must each produce an error, so a
// check that silently accepts everything fails instead of passing.
'use strict';

const fs = require('fs');
const path = require('path');

const pkg = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
// The package is a Bridge.NET build: bridge.js defines the runtime globals,
// Kusto.Language.Bridge.js the `Kusto` namespace.
require(path.join(pkg, 'bridge.js'));
require(path.join(pkg, 'Kusto.Language.Bridge.js'));
/* global Kusto */
const K = Kusto.Language;
const S = K.Symbols;

const TYPES = {
  string: S.ScalarTypes.String,
  dynamic: S.ScalarTypes.Dynamic,
  datetime: S.ScalarTypes.DateTime,
  bool: S.ScalarTypes.Bool,
  long: S.ScalarTypes.Long,
  int: S.ScalarTypes.Int,
  real: S.ScalarTypes.Real,
  guid: S.ScalarTypes.Guid,
  timespan: S.ScalarTypes.TimeSpan,
};

function globals() {
  const spec = JSON.parse(fs.readFileSync(path.join(__dirname, 'tables.json'), 'utf8'));
  const tables = spec.tables.map((t) => {
    const columns = t.columns.map((c) => {
      const type = TYPES[c.type];
      if (!type) throw new Error(`tables.json: ${t.name}.${c.name} has unknown type ${c.type}`);
      return new S.ColumnSymbol(c.name, type);
    });
    return new S.TableSymbol.$ctor4(t.name, columns);
  });
  const db = new S.DatabaseSymbol.ctor('workspace', tables);
  const cluster = new S.ClusterSymbol.ctor('loganalytics', [db]);
  return K.GlobalState.Default.WithCluster(cluster).WithDatabase(db);
}

function errorsOf(text, state) {
  const code = K.KustoCode.ParseAndAnalyze(text, state);
  const diags = code.GetDiagnostics();
  const out = [];
  for (let i = 0; i < diags.Count; i++) {
    const d = diags.getItem(i);
    if (String(d.Severity) === 'Error') out.push({ start: d.Start, code: d.Code, message: d.Message });
  }
  return out;
}

// Splits a .kql file into query blocks: runs of non-blank lines that hold
// at least one line that is not a comment. Returns [{firstLine, text}].
function queries(fileText) {
  const lines = fileText.split('\n');
  const blocks = [];
  let cur = null;
  lines.forEach((line, i) => {
    if (line.trim() === '') {
      if (cur) blocks.push(cur);
      cur = null;
      return;
    }
    if (!cur) cur = { firstLine: i + 1, lines: [] };
    cur.lines.push(line);
  });
  if (cur) blocks.push(cur);
  return blocks
    .filter((b) => b.lines.some((l) => !l.trim().startsWith('//')))
    .map((b) => ({ firstLine: b.firstLine, text: b.lines.join('\n') }));
}

function lineCol(text, offset) {
  const before = text.slice(0, offset).split('\n');
  return [before.length, before[before.length - 1].length + 1];
}

function main() {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) {
    console.error('usage: node check.js DIR...');
    process.exit(2);
  }
  const state = globals();

  // The check must be able to fail: an unknown column and a wrong argument
  // type must each be reported.
  for (const bad of [
    'SigninLogs | where NoSuchColumn == 1',
    'SigninLogs | where TimeGenerated > ago("fourteen days")',
  ]) {
    if (errorsOf(bad, state).length === 0) {
      console.error(`kusto check: the language service accepted a broken query (${bad}); the check cannot be trusted`);
      process.exit(1);
    }
  }

  let files = 0;
  let checked = 0;
  let failed = 0;
  for (const dir of dirs) {
    const names = fs.readdirSync(dir).filter((n) => n.endsWith('.kql')).sort();
    for (const name of names) {
      const file = path.join(dir, name);
      const text = fs.readFileSync(file, 'utf8');
      files++;
      for (const q of queries(text)) {
        checked++;
        for (const e of errorsOf(q.text, state)) {
          const [l, c] = lineCol(q.text, e.start);
          console.log(`${file}:${q.firstLine + l - 1}:${c}: ${e.code} ${e.message}`);
          failed++;
        }
      }
    }
  }
  if (files === 0 || checked === 0) {
    console.error(`kusto check: no query found under ${dirs.join(', ')}`);
    process.exit(1);
  }
  console.log(`kusto check: ${checked} queries in ${files} files, ${failed} errors`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
