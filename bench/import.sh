#!/usr/bin/env bash
# bench/import.sh [SIZE]  (default 2G; any size `head -c` understands, e.g. 512M, 1G, 4G)
# Throughput of the importer (local HTTP source → sha256 while streaming → the local Glance) against a shell pipe
# doing the same work (curl | tee >(sha256sum) | curl -T - …/file), and the importer's peak RSS.
# Last line: ratio=<importer ÷ pipe throughput> rss_mb=<importer peak RSS>
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size="${1:-2G}"
. "$root/scripts/find-jdk.sh"
"$root/scripts/dev-cloud.sh" up >/dev/null
clouds="$root/.dev-cloud/clouds.yaml"
"$root/mvnw" -B -q -f "$root/pom.xml" -pl bench -am -DskipTests package

work="$(mktemp -d /tmp/im-bench.XXXXXX)"
trap 'kill ${server:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
head -c "$size" /dev/urandom > "$work/bench.raw"
bytes=$(stat -c %s "$work/bench.raw")
sha=$(sha256sum "$work/bench.raw" | cut -d' ' -f1)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work" >/dev/null 2>&1 &
server=$!
sleep 1
url="http://127.0.0.1:$port/bench.raw"

# the pipe: same source, digest on the side, plain upload to Glance
password=$(cat "$root/.dev-cloud/secrets/admin.password")
token=$(curl -si -X POST http://127.0.0.1:5000/v3/auth/tokens -H 'Content-Type: application/json' --data-binary @- <<JSON | awk 'tolower($1)=="x-subject-token:" {print $2}' | tr -d '\r'
{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"$password"}}},
 "scope":{"project":{"name":"admin","domain":{"name":"Default"}}}}}
JSON
)
image=$(curl -s -X POST http://127.0.0.1:9292/v2/images -H "X-Auth-Token: $token" -H 'Content-Type: application/json' \
  -d '{"name":"bench-pipe","disk_format":"raw","container_format":"bare"}' | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
start=$(date +%s.%N)
curl -s "$url" | tee >(sha256sum > "$work/pipe.sha") | curl -s -T - -H "X-Auth-Token: $token" \
  -H 'Content-Type: application/octet-stream' "http://127.0.0.1:9292/v2/images/$image/file"
pipe_seconds=$(echo "$(date +%s.%N) - $start" | bc)
curl -s -X DELETE -H "X-Auth-Token: $token" "http://127.0.0.1:9292/v2/images/$image" >/dev/null

cp="$root/bench/target/classes:$(cat "$root/bench/target/bench.classpath")"
result=$("${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx256m -cp "$cp" org.imagemanager.bench.ImportBenchmark "$url" "$sha" dev "$clouds")
importer_seconds=$(echo "$result" | sed -n 's/.*importer_seconds=\([0-9.]*\).*/\1/p')
rss=$(echo "$result" | sed -n 's/.*rss_mb=\([0-9]*\).*/\1/p')

# (c) ten images of 128 MiB, one at a time and four at a time
head -c 128M "$work/bench.raw" > "$work/small.raw"
small_sha=$(sha256sum "$work/small.raw" | cut -d' ' -f1)
small_url="http://127.0.0.1:$port/small.raw"
serial=$("${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx256m -cp "$cp" org.imagemanager.bench.ImportBenchmark "$small_url" "$small_sha" dev "$clouds" 10 1)
parallel=$("${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx256m -cp "$cp" org.imagemanager.bench.ImportBenchmark "$small_url" "$small_sha" dev "$clouds" 10 4)
echo "ten images of 128 MiB: $serial"
echo "ten images of 128 MiB: $parallel"

mib=$(echo "scale=1; $bytes / 1048576" | bc)
printf '%-10s %10s %10s %12s\n' "path" "MiB" "seconds" "MiB/s"
printf '%-10s %10s %10.2f %12.1f\n' "pipe" "$mib" "$pipe_seconds" "$(echo "$mib / $pipe_seconds" | bc -l)"
printf '%-10s %10s %10.2f %12.1f\n' "importer" "$mib" "$importer_seconds" "$(echo "$mib / $importer_seconds" | bc -l)"
printf 'ratio=%.2f rss_mb=%s\n' "$(echo "$pipe_seconds / $importer_seconds" | bc -l)" "$rss"
