"""Run by the focus-validator's own Python (it pins sqlglot): transpile compiled dbt SQL from DuckDB to Spark SQL,
failing on any construct sqlglot cannot express there. Prints one line per file; exits 1 on a failure."""

import sys
from pathlib import Path

import sqlglot
from sqlglot.errors import ErrorLevel, ParseError, UnsupportedError

failed = 0
for path in sorted(Path(sys.argv[1]).rglob("*.sql")):
    try:
        sqlglot.transpile(path.read_text(), read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
        print(f"ok {path.name}")
    except (ParseError, UnsupportedError) as error:
        failed += 1
        print(f"FAIL {path.name}: {str(error)[:300]}")
sys.exit(1 if failed else 0)
