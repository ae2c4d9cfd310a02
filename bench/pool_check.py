"""Cost of the pool's connection check (CONN_HEALTH_CHECKS=True on PostgreSQL: psycopg_pool's
ConnectionPool.check_connection, an empty query before each connection is lent): getconn +
SELECT 1 + putconn, with and without the check, rounds alternated, medians (wall and CPU µs).

    PGCONNINFO="host=127.0.0.1 port=5432 user=postgres dbname=postgres" .venv/bin/python bench/pool_check.py
"""

import os
import statistics
import time

from psycopg_pool import ConnectionPool

CONNINFO = os.environ.get("PGCONNINFO", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
ROUNDS, N = 5, 5000


def one_round(pool: ConnectionPool) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(N):
        conn = pool.getconn()
        conn.execute("SELECT 1").fetchone()
        conn.rollback()
        pool.putconn(conn)
    return (time.perf_counter() - wall) / N * 1e6, (time.process_time() - cpu) / N * 1e6


def main() -> None:
    pools = {
        "check": ConnectionPool(CONNINFO, min_size=2, max_size=2, check=ConnectionPool.check_connection),
        "no check": ConnectionPool(CONNINFO, min_size=2, max_size=2),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in pools}
    for pool in pools.values():
        pool.wait()
    for _ in range(ROUNDS):
        for name, pool in pools.items():
            results[name].append(one_round(pool))
    for name, values in results.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"{name:9} {wall:6.0f} µs wall  {cpu:5.0f} µs CPU per getconn + SELECT 1 + putconn")
    for pool in pools.values():
        pool.close()


if __name__ == "__main__":
    main()
