#!/usr/bin/env bash
# Installs what the benchmark peers need, idempotently. Never fails the suite: a peer whose tools are
# missing afterwards is reported as skipped by the benchmark program.
#   redis-server + redis-benchmark (Debian packages redis-server, redis-tools) for the store peer (B3), and for
#   B1-B4 on Redis: the firn-redis contestants' server and the redis-benchmark reference
#   python3 (already on the machine) for the python-pipe peer; NuGet peers come with `dotnet restore`.
set -u

have() { command -v "$1" >/dev/null 2>&1; }

if have redis-server && have redis-benchmark; then
  echo "setup: redis-server and redis-benchmark present"
elif ! have apt-get; then
  echo "setup: apt-get unavailable; the redis peer will be skipped" >&2
else
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    if have sudo; then sudo_cmd=(sudo -n); else
      echo "setup: not root and no sudo; the redis peer will be skipped" >&2
      exit 0
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends redis-server redis-tools >/tmp/firn-bench-apt.log 2>&1; then
    # The package lists may be missing on a fresh machine: update once and try again.
    "${sudo_cmd[@]}" apt-get update -q >>/tmp/firn-bench-apt.log 2>&1 || true
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends redis-server redis-tools >>/tmp/firn-bench-apt.log 2>&1 \
      || echo "setup: could not install redis (see /tmp/firn-bench-apt.log); the redis peer will be skipped" >&2
  fi
  # Debian starts a redis service on install; the benchmark runs its own server on a Unix socket.
  if have systemctl; then "${sudo_cmd[@]}" systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
  have redis-server && echo "setup: installed $(redis-server --version | cut -d' ' -f1-3)"
fi

if have python3; then echo "setup: $(python3 --version)"; else echo "setup: python3 missing; the python-pipe peer will be skipped" >&2; fi
exit 0
