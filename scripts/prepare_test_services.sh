#!/usr/bin/env bash
# Makes sure the MariaDB and Redis that the integration tests use are up, that the test database user exists,
# and that Debian's Chromium is there for the admin site's browser test.
# Starts them when they are installed but down. Exits non-zero (and the tests do not run) when they stay unreachable.
set -euo pipefail

MYSQL_HOST=${TEST_MYSQL_HOST:-127.0.0.1}
MYSQL_PORT=${TEST_MYSQL_PORT:-3306}
REDIS_PORT=${TEST_REDIS_PORT:-6379}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {
  local name=$1 host=$2 port=$3
  for _ in $(seq 1 60); do
    port_open "$host" "$port" && return 0
    sleep 0.5
  done
  echo "prepare_test_services: $name is not reachable on $host:$port" >&2
  return 1
}

if ! port_open "$MYSQL_HOST" "$MYSQL_PORT"; then
  if [ -x /usr/sbin/mariadbd ]; then
    echo "prepare_test_services: starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  fi
fi
if ! port_open 127.0.0.1 "$REDIS_PORT"; then
  if command -v redis-server >/dev/null; then
    echo "prepare_test_services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
fi
wait_for MariaDB "$MYSQL_HOST" "$MYSQL_PORT"
wait_for Redis 127.0.0.1 "$REDIS_PORT"

# Root may only log in over the unix socket; the tests connect over TCP as their own user.
if [ -z "${TEST_MYSQL_URL:-}" ] && command -v mariadb >/dev/null; then
  for _ in $(seq 1 30); do mariadb -uroot -e "SELECT 1" >/dev/null 2>&1 && break; sleep 0.5; done
  mariadb -uroot <<'SQL'
CREATE USER IF NOT EXISTS 'ticket_utils'@'127.0.0.1' IDENTIFIED BY 'ticket_utils';
CREATE USER IF NOT EXISTS 'ticket_utils'@'localhost' IDENTIFIED BY 'ticket_utils';
GRANT ALL PRIVILEGES ON `ticket_utils_test%`.* TO 'ticket_utils'@'127.0.0.1';
GRANT ALL PRIVILEGES ON `ticket_utils_test%`.* TO 'ticket_utils'@'localhost';
CREATE DATABASE IF NOT EXISTS ticket_utils_test CHARACTER SET utf8mb4;
FLUSH PRIVILEGES;
SQL
fi
# The admin site's browser test drives Debian's Chromium through Playwright; no browser is ever downloaded.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "prepare_test_services: installing Debian's chromium for the browser test"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "prepare_test_services: the browser test needs Chromium at /usr/bin/chromium (apt-get install chromium)" >&2
  fi
fi
echo "prepare_test_services: MariaDB, Redis and Chromium are ready"
