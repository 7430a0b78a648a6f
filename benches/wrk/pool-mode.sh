#!/bin/bash
# GET /v1/slots on a small clinic (one doctor, eight bookings), builds and
# modes alternated: docs/performance.md#behind-pgbouncer-what-pool_modetransaction-costs.
# Run inside a throwaway cluster, with the builds to compare:
#   pg_virtualenv -t benches/wrk/pool-mode.sh BEFORE_BINARY NOW_BINARY
# Each round (ROUNDS, default "1 2 3"): BEFORE, NOW, NOW with
# pool_mode=transaction; wrk -t2 -c8 10 s.
set -euo pipefail
before=$1 now=$2
server="postgres://$PGUSER:$PGPASSWORD@${PGHOST:-localhost}:${PGPORT:-5432}"
export APPT_KEY=7e57000000000000000000000000000000000000000000000000000000007e57
psql "$server/postgres" -qc "CREATE DATABASE bench"
url="$server/bench?sslmode=disable"
at() { APPT_NOW=2026-06-15T08:00:00-06:00 "$now" --db "$url" "$@" >/dev/null; }
at clinic add Central --timezone America/El_Salvador --notify off
at doctor add "Dr. García"
at service add General --minutes 30
at window add --doctor "Dr. García" --days mon-fri --from 09:00 --to 13:00
for i in 1 2 3 4 5 6 7 8; do
  at book -d "Dr. García" -D 2026-06-16 -t "$((9 + (i - 1) / 2)):$(((i - 1) % 2 * 3))0" -P "+5037000000$i" --name "P $i"
done
token=$(APPT_NOW=2026-06-15T08:00:00-06:00 "$now" --db "$url" token add bot --scopes appointments:read --json | jq -r .token)
for round in ${ROUNDS:-1 2 3}; do
  for run in before now now-tx; do
    case $run in
      before) bin=$before db=$url ;;
      now) bin=$now db=$url ;;
      now-tx) bin=$now db="$url&pool_mode=transaction" ;;
    esac
    "$bin" --db "$db" serve --listen 127.0.0.1:18080 >/dev/null 2>&1 &
    pid=$!
    sleep 1
    echo "round $round $run: $(wrk -t2 -c8 -d10s --latency -H "Authorization: Bearer $token" \
      'http://127.0.0.1:18080/v1/slots?doctor=Dr.%20Garc%C3%ADa&date=2026-06-16' |
      grep -E 'Requests/sec|99%|Non-2xx' | tr -s ' ' | tr '\n' ' ')"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
done
