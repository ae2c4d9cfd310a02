#!/usr/bin/env bash
# Load test of the public channels of a region-sized office through the production server.
#
#   bench/run_publishing.sh setup postgres|sqlite   # create + migrate the database, generate the region
#   bench/run_publishing.sh run [postgres|sqlite|both]   # (default: both) one series per database
#
# `setup` creates the PostgreSQL database ensemble_bench (127.0.0.1:5432, user postgres) or the
# SQLite file var/bench/region.db, migrates it and runs bench/generate_region.py (100,000
# establishments, 20,000 events, 5,000 partners in the office "region"); it refuses to generate
# twice (drop the database first: `dropdb -h 127.0.0.1 -U postgres ensemble_bench`, or delete the file).
#
# `run`, per database: writes the targets (bench/generate_region.py --targets), collects the static
# files, starts gunicorn (ensemble.wsgi, settings ensemble.settings.production, $WORKERS gthread
# workers × $THREADS threads, psycopg pool on PostgreSQL) on 127.0.0.1:$PORT, then for each
# scenario probes its URLs (skipped, with the reason, when the page answers 404) and runs locust
# headless: $USERS users, all spawned at once, for $DURATION, no think time. Stops the server and
# prints the report (bench/publishing_load.py report). Results: var/bench/publishing/<UTC time>/.
#
# The shared page cache (part 6): CACHE=warm (default) keeps answers in Redis (REDIS_URL, default
# redis://127.0.0.1:6379/14, emptied first) and requests every URL of a scenario once before the
# load; CACHE=cold turns the page cache off (PUBLIC_PAGE_CACHE_SECONDS=0): every request renders.
#
# Environment (defaults): OFFICE=region PORT=8077 WORKERS=4 THREADS=4 USERS=16 DURATION=30s (s or m)
#   SCENARIOS="healthz search directory deep detail api_item api_list api_deep healthz_end"
#   PG_URL=postgres://postgres@127.0.0.1:5432/ensemble_bench SQLITE_PATH=var/bench/region.db
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python

OFFICE=${OFFICE:-region}
PORT=${PORT:-8077}
WORKERS=${WORKERS:-4}
THREADS=${THREADS:-4}
USERS=${USERS:-16}
DURATION=${DURATION:-30s}
SCENARIOS=${SCENARIOS:-"healthz search directory deep detail api_item api_list api_deep healthz_end"}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/ensemble_bench}
SQLITE_PATH=${SQLITE_PATH:-$ROOT/var/bench/region.db}

export ENSEMBLE_VAR_DIR=$ROOT/var/bench/publishing   # static files, media, mail of the bench server
mkdir -p "$ENSEMBLE_VAR_DIR"

database_url() {
    case "$1" in
        postgres) echo "$PG_URL" ;;
        sqlite) echo "sqlite:///$SQLITE_PATH" ;;
        *) echo "unknown database: $1 (postgres or sqlite)" >&2; exit 2 ;;
    esac
}

setup() {
    local db=$1 url
    url=$(database_url "$db")
    if [ "$db" = postgres ]; then
        local name=${url##*/}
        psql -h 127.0.0.1 -U postgres -Atc "select 1 from pg_database where datname='$name'" | grep -q 1 \
            || createdb -h 127.0.0.1 -U postgres "$name"
    fi
    DATABASE_URL=$url DJANGO_SETTINGS_MODULE=ensemble.settings.base "$PY" manage.py migrate -v0
    DATABASE_URL=$url DJANGO_SETTINGS_MODULE=ensemble.settings.base \
        "$PY" bench/generate_region.py --office "$OFFICE" --establishments 100000 --events 20000 --partners 5000
}

seconds() {  # "30s", "2m" or "45" -> seconds
    case "$1" in *m) echo $(( ${1%m} * 60 )) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac
}

SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap stop_server EXIT

start_server() {
    local log=$1
    "$ROOT/.venv/bin/gunicorn" ensemble.wsgi:application --bind "127.0.0.1:$PORT" \
        --workers "$WORKERS" --worker-class gthread --threads "$THREADS" \
        --log-level warning --error-logfile "$log" &
    SERVER_PID=$!
    for _ in $(seq 1 60); do
        if curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz/"; then return 0; fi
        sleep 0.5
    done
    echo "gunicorn did not answer on port $PORT; see $log" >&2
    exit 1
}

series() {
    local db=$1 out=$2 url
    url=$(database_url "$db")
    export DATABASE_URL=$url
    echo "== $db: $url"
    DJANGO_SETTINGS_MODULE=ensemble.settings.base \
        "$PY" bench/generate_region.py --office "$OFFICE" --targets "$out/$db-targets.json"
    export DJANGO_SETTINGS_MODULE=ensemble.settings.production SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0
    export ALLOWED_HOSTS=127.0.0.1,localhost
    export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/14}
    redis-cli -u "$REDIS_URL" flushdb >/dev/null
    if [ "${CACHE:-warm}" = cold ]; then
        export PUBLIC_PAGE_CACHE_SECONDS=0 BENCH_WARMUP=50
    else
        export PUBLIC_PAGE_CACHE_SECONDS=21600 BENCH_WARMUP=100000
    fi
    echo "page cache: ${CACHE:-warm} (PUBLIC_PAGE_CACHE_SECONDS=$PUBLIC_PAGE_CACHE_SECONDS, $REDIS_URL)"
    SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')
    export SECRET_KEY
    "$PY" manage.py collectstatic --noinput -v0
    start_server "$out/$db-gunicorn.log"
    echo "gunicorn: $WORKERS workers × $THREADS threads; locust: $USERS users for $DURATION per scenario"
    for scenario in $SCENARIOS; do
        local status=0
        "$PY" bench/publishing_load.py probe --host "http://127.0.0.1:$PORT" --targets "$out/$db-targets.json" \
            --scenario "$scenario" --out "$out/$db-$scenario-urls.json" || status=$?
        if [ "$status" = 3 ]; then continue; elif [ "$status" != 0 ]; then exit "$status"; fi
        echo "$scenario: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/$db-loadavg.txt"
        # Who uses the CPU half-way through the run (top's second sample: instantaneous shares).
        (sleep "$(( $(seconds "$DURATION") / 2 ))"; top -b -n 2 -d 2 -w 180 | awk '/^top -/ {n++} n == 2' \
            | sed -n '1,3p;7,16p') > "$out/$db-$scenario-top.txt" 2>&1 &
        BENCH_SCENARIO=$scenario BENCH_URLS=$out/$db-$scenario-urls.json BENCH_CACHE_OUT=$out/$db-$scenario-cache.json \
            "$ROOT/.venv/bin/locust" \
            -f bench/publishing_load.py --headless -u "$USERS" -r "$USERS" -t "$DURATION" \
            --host "http://127.0.0.1:$PORT" --csv "$out/$db-$scenario" --only-summary --loglevel WARNING \
            > "$out/$db-$scenario-locust.log" 2>&1 || true
        grep -i "cpu usage" "$out/$db-$scenario-locust.log" || true
        wait $!  # the top snapshot
    done
    stop_server
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/$db-loadavg.txt"
    "$PY" bench/publishing_load.py report "$out" --database "$db" --users "$USERS"
}

command=${1:-run}
case "$command" in
    setup)
        setup "${2:?postgres or sqlite}"
        ;;
    run)
        out=$ROOT/var/bench/publishing/$(date -u +%Y%m%dT%H%M%SZ)
        mkdir -p "$out"
        {
            echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  commit: $(git rev-parse --short HEAD)" \
                "(+ uncommitted: $(git status --porcelain | wc -l) files)"
            echo "machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | tr -s ' ')"
        } | tee "$out/environment.txt"
        targets=${2:-both}
        [ "$targets" = both ] && targets="postgres sqlite"
        for db in $targets; do series "$db" "$out"; done
        echo "Results in $out"
        ;;
    *)
        echo "usage: $0 setup postgres|sqlite | run [postgres|sqlite|both]" >&2
        exit 2
        ;;
esac
