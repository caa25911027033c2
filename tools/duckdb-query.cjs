#!/usr/bin/env node
// duckdb-query.cjs — run SQL with DuckDB from the npm registry (installed by
// `make deps` into build/node/) and print the result as tab-separated rows.
//
//   node tools/duckdb-query.cjs FILE.sql      run the query in FILE ("-": stdin)
//   node tools/duckdb-query.cjs --parse FILE  only parse it (json_serialize_sql):
//                                             exit 0 when DuckDB's parser accepts it
//
// DuckDB is looked up in $HG_DUCKDB_DIR (default: build/node next to this
// folder). Exit status: 0 ok, 1 the query failed (message on stderr), 3 DuckDB
// is not installed.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.env.HG_DUCKDB_DIR || path.join(__dirname, '..', 'build', 'node');
let duckdb;
try {
  duckdb = require(path.join(dir, 'node_modules', '@duckdb', 'node-api'));
} catch (e) {
  process.stderr.write(`duckdb-query: @duckdb/node-api is not installed in ${dir} (run make deps)\n`);
  process.exit(3);
}

function cell(v) {
  if (v === null || v === undefined) return 'NULL';
  return String(v);
}

async function main() {
  const args = process.argv.slice(2);
  const parseOnly = args[0] === '--parse';
  if (parseOnly) args.shift();
  if (args.length !== 1) {
    process.stderr.write('usage: duckdb-query.cjs [--parse] FILE.sql\n');
    process.exit(2);
  }
  const sql = fs.readFileSync(args[0] === '-' ? 0 : args[0], 'utf8');
  const inst = await duckdb.DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  if (parseOnly) {
    const r = await con.runAndReadAll('SELECT CAST(json_serialize_sql(CAST($1 AS VARCHAR)) AS VARCHAR) AS j', [sql]);
    const j = JSON.parse(r.getRowObjectsJson()[0].j);
    if (j.error) {
      process.stderr.write(`duckdb-query: parse error: ${j.error_message}\n`);
      process.exit(1);
    }
    return;
  }
  const r = await con.runAndReadAll(sql);
  for (const row of r.getRowsJson()) process.stdout.write(row.map(cell).join('\t') + '\n');
}

main().catch((e) => {
  process.stderr.write(`duckdb-query: ${e.message}\n`);
  process.exit(1);
});
