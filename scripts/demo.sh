#!/usr/bin/env bash
# The main job on a fresh machine: bring up a local OpenStack (Keystone + Glance, scripts/dev-cloud.sh), serve the
# bundled example images on 127.0.0.1:18080, and converge the local Glance with examples/images once through the
# all-in-one pipeline (embedded Kafka). Extra arguments go to `image-manager sync` (e.g. --dry-run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/dev-cloud.sh up
eval "$(scripts/dev-cloud.sh env)"

port=18080
if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
  echo "demo: port $port on 127.0.0.1 is taken; the example definitions expect their files there" >&2
  exit 1
fi
/usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory examples/files >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
  sleep 0.1
done

./image-manager sync --cloud dev --images examples/images "$@"
