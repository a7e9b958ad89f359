#!/bin/sh
# Issue 12 acceptance: rows/s of `manage.py import_billing` for one charges.csv (1,000,000 rows)
# on PostgreSQL, against PostgreSQL's own COPY of the same file, and the idempotent second pass.
#
# Needs DATABASE_URL (a cluster holding `seed_demo --scale large`: the file's contracts) and a
# folder with charges.csv (docs/exchange.md; e.g. the generator below). Run it e.g. as
#   python scripts/services.py --postgres --keep-data var/measure-pg -- sh scripts/measure_import.sh DIR
# Without DIR it writes DIR=/tmp/charges1m: 1,000,000 charges, 34 months from 01.2023 for each
# contract of contracts.csv of `export_billing --mirror` … or of the database itself.
#
# WARNING: it empties billing_charge (TRUNCATE … CASCADE): the file's periods overlap the
# demo charges (one charge per contract and month). Use a throw-away cluster.
set -eu
DIR=${1:-/tmp/charges1m}
PSQL="/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 $DATABASE_URL"
export DEMO_MODE=${DEMO_MODE:-1}
load() { cut -d' ' -f1-3 /proc/loadavg; }

if [ ! -f "$DIR/charges.csv" ]; then
  mkdir -p "$DIR"
  $PSQL -c "\\copy (SELECT 'M-' || k.billing_id || '-' || to_char(p, 'YYYY-MM-DD'), \
    k.billing_id, to_char(p, 'YYYY-MM-DD'), (1000 + n % 977)::text || '.000', \
    to_char((1000 + n % 977) * 9.8, 'FM999999990.00') FROM (SELECT k.*, \
    row_number() OVER (ORDER BY k.billing_id) AS c FROM customers_contract k) k, \
    LATERAL (SELECT p::date, ((k.c - 1) * 34 + i) AS n FROM generate_series(0, 33) i, \
    LATERAL (SELECT date '2023-01-01' + make_interval(months => i) AS p) q) m \
    ORDER BY k.billing_id, p LIMIT 1000000) TO '$DIR/charges.csv' \
    (FORMAT csv, DELIMITER ';', HEADER true)"
  # HEADER true writes the column names of the query; the exchange format wants these:
  sed -i '1s/.*/billing_id;contract;period;kwh;amount/' "$DIR/charges.csv"
fi
ROWS=$(($(wc -l < "$DIR/charges.csv") - 1))
echo "file: $DIR/charges.csv, $ROWS rows, $(du -h "$DIR/charges.csv" | cut -f1)"

echo "== billing_charge emptied (TRUNCATE CASCADE), then VACUUM ANALYZE"
$PSQL -c "TRUNCATE billing_charge CASCADE" -c "VACUUM ANALYZE billing_charge"

printf '%s\n' "== COPY (psql \\copy) of the file into billing_charge with all its indexes and constraints," \
  "   through a temp staging table (the file names the contract by billing_id): rolled back"
cat > /tmp/measure_import_copy.sql <<SQL
\\timing on
BEGIN;
CREATE TEMP TABLE staging (billing_id text, contract text, period date, kwh numeric, amount numeric);
\\copy staging FROM '$DIR/charges.csv' (FORMAT csv, DELIMITER ';', HEADER true)
INSERT INTO billing_charge (billing_id, synced_at, contract_id, period, kwh, amount)
  SELECT s.billing_id, now(), k.id, s.period, s.kwh, s.amount
  FROM staging s JOIN customers_contract k ON k.billing_id = s.contract;
ROLLBACK;
SQL
echo "load before: $(load)"
/usr/lib/postgresql/15/bin/psql -X -v ON_ERROR_STOP=1 "$DATABASE_URL" -f /tmp/measure_import_copy.sql
echo "load after: $(load)"

for pass in 1 2; do
  echo "== import_billing pass $pass (load before: $(load))"
  # stdout only: stderr carries the progress bar
  /usr/bin/time -o /tmp/measure_import_time -f "wall %e s, max RSS %M KB" \
    uv run python manage.py import_billing "$DIR" --entity charges 2>/dev/null
  cat /tmp/measure_import_time
  echo "load after: $(load)"
  $PSQL -Atc "SELECT 'billing_charge rows: ' || count(*) FROM billing_charge"
done
