#!/usr/bin/env bash
# bench/sync.sh [ROUNDS] [IMPORT_ROUNDS]   (defaults 7 and 3)
# The one-shot `sync` as cron runs it, paired with `openstack --os-cloud dev image list` on the same cloud (absolute
# times drift on a shared machine; the ratio within a pair does not), alternating, medians of the ratios:
#   1. no-op:       examples/images already in line
#   2. one change:  one property of one image changed by hand, which sync puts back
#   3. ten imports: ten new 32 MiB images from empty (embedded broker and S3 mirror), paired with ten serial
#                   shell-pipe uploads of the same files (curl source | curl -T - …/file)
# and the peak RSS of every process a run starts (the launcher JVM and its broker and mirror JVMs), summed.
# Targets (issue 13): no-op ≤ 1.0×, one change ≤ 1.5×, ten imports ≤ 1.0×, all-in-one peak RSS ≤ 500 MB.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-7}"
import_rounds="${2:-3}"
cd "$root"
. scripts/find-jdk.sh
scripts/dev-cloud.sh up >/dev/null
eval "$(scripts/dev-cloud.sh env)"
openstack=(/usr/bin/openstack --os-cloud dev)
# the baseline, tried again once when the single-worker dev Keystone drops a connection (it happens now and then)
image_list() { "${openstack[@]}" image list || { sleep 1; "${openstack[@]}" image list; }; }

work="$(mktemp -d /tmp/im-bench-sync.XXXXXX)"
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

serve() { # DIR PORT
  /usr/bin/python3 -m http.server "$2" --bind 127.0.0.1 --directory "$1" >/dev/null 2>&1 &
  servers+=($!)
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: cannot serve $1 on port $2" >&2
  exit 1
}
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# runs a command, its output to FILE; sets SECS (wall seconds) and PEAK_MB (the summed peak RSS of it and of
# every descendant, sampled every 50 ms)
PEAK_MB=0
SECS=0
measure() { # OUTFILE COMMAND...
  local out=$1; shift
  local start end pid
  start=$(date +%s%N)
  "$@" >"$out" 2>&1 &
  pid=$!
  declare -A peak=()
  while kill -0 "$pid" 2>/dev/null; do
    local p tree="$pid" next
    next="$(pgrep -P "$pid" || true)"
    while [ -n "$next" ]; do tree="$tree $next"; next="$(for q in $next; do pgrep -P "$q" || true; done)"; done
    for p in $tree; do
      local kb
      kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
      [ -n "$kb" ] && { [ -z "${peak[$p]:-}" ] || [ "$kb" -gt "${peak[$p]}" ]; } && peak[$p]=$kb
    done
    sleep 0.05
  done
  wait "$pid" || { echo "bench: failed: $*" >&2; cat "$out" >&2; exit 1; }
  end=$(date +%s%N)
  local total=0 p
  for p in "${!peak[@]}"; do total=$((total + peak[$p])); done
  PEAK_MB=$((total / 1024))
  SECS=$(echo "scale=3; ($end - $start) / 1000000000" | bc)
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

sync_examples=(./image-manager sync --cloud dev --images examples/images --no-mirror)

# ---- 1 and 2: the examples, in line ------------------------------------------------------------------------------
if (exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null; then
  echo "bench: port 18080 is taken; the example definitions expect their files there" >&2
  exit 1
fi
serve examples/files 18080
"${sync_examples[@]}" >"$work/warm.txt" 2>&1 || { cat "$work/warm.txt" >&2; exit 1; } # converge, build, CDS archive
"${sync_examples[@]}" >/dev/null 2>&1
tiny="$("${openstack[@]}" image list --name 'Tiny Linux 1.1' -f value -c ID | head -n 1)"

: >"$work/noop.ratios"; : >"$work/change.ratios"; : >"$work/noop.s"; : >"$work/list.s"; : >"$work/change.s"
noop_rss=0; change_rss=0
for ((i = 1; i <= rounds; i++)); do
  measure "$work/list.txt" image_list; l=$SECS
  measure "$work/noop.txt" "${sync_examples[@]}"; s=$SECS
  grep -q 'unchanged: 4  failed: 0' "$work/noop.txt" || { cat "$work/noop.txt" >&2; exit 1; }
  noop_rss=$PEAK_MB
  echo "$s" >>"$work/noop.s"; echo "$l" >>"$work/list.s"
  echo "scale=3; $s / $l" | bc >>"$work/noop.ratios"

  "${openstack[@]}" image set --property os_distro=changed-by-hand "$tiny"
  measure "$work/list.txt" image_list; l=$SECS
  measure "$work/change.txt" "${sync_examples[@]}"; s=$SECS
  grep -q 'changed: 1' "$work/change.txt" || { cat "$work/change.txt" >&2; exit 1; }
  change_rss=$PEAK_MB
  echo "$s" >>"$work/change.s"
  echo "scale=3; $s / $l" | bc >>"$work/change.ratios"
done

# ---- 3: ten new 32 MiB images ----------------------------------------------------------------------------------
files="$work/files"; mkdir -p "$files" "$work/images"
port=$(free_port)
serve "$files" "$port"
password=$(cat .dev-cloud/secrets/admin.password)
token() {
  curl -si -X POST http://127.0.0.1:5000/v3/auth/tokens -H 'Content-Type: application/json' --data-binary @- <<JSON |
{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"$password"}}},
 "scope":{"project":{"name":"admin","domain":{"name":"Default"}}}}}
JSON
    awk 'tolower($1)=="x-subject-token:" {print $2}' | tr -d '\r'
}
pipe_uploads() { # ROUND: ten serial uploads of the same files by a shell pipe, with a digest on the side
  local t id n
  t=$(token)
  for n in $(seq 10); do
    id=$(curl -s -X POST http://127.0.0.1:9292/v2/images -H "X-Auth-Token: $t" -H 'Content-Type: application/json' \
      -d "{\"name\":\"bench-pipe-$1-$n\",\"disk_format\":\"raw\",\"container_format\":\"bare\",\"tags\":[\"bench-pipe\"]}" \
      | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    curl -s "http://127.0.0.1:$port/img-$n.raw" | tee >(sha256sum >/dev/null) | curl -s -T - -H "X-Auth-Token: $t" \
      -H 'Content-Type: application/octet-stream' "http://127.0.0.1:9292/v2/images/$id/file"
  done
}
delete_tagged() { # TAG
  local ids
  ids=$("${openstack[@]}" image list --tag "$1" -f value -c ID)
  [ -z "$ids" ] || "${openstack[@]}" image delete $ids
}
: >"$work/imports.ratios"; : >"$work/imports.s"; : >"$work/pipe.s"
imports_rss=0
for ((r = 1; r <= import_rounds; r++)); do
  tag="bench-sync-$r-$$"
  {
    echo "images:"
    for n in $(seq 10); do
      head -c 32M /dev/urandom >"$files/img-$n.raw"
      cat <<YAML
  - name: Bench $r-$$ $n
    enable: true
    format: raw
    login: bench
    min_disk: 1
    min_ram: 64
    status: active
    visibility: private
    multi: false
    meta:
      architecture: x86_64
      hw_disk_bus: scsi
      hypervisor_type: qemu
      os_distro: cirros
      os_purpose: minimal
      provided_until: none
      replace_frequency: never
      uuid_validity: none
    tags: []
    versions:
      - version: '1'
        url: http://127.0.0.1:$port/img-$n.raw
        checksum: "sha256:$(sha256sum "$files/img-$n.raw" | cut -d' ' -f1)"
        build_date: 2026-12-01
YAML
    done
  } >"$work/images/bench.yml"
  measure "$work/pipe.txt" pipe_uploads "$r"; p=$SECS
  measure "$work/imports.txt" ./image-manager sync --cloud dev --images "$work/images" --tag "$tag" \
    --mirror-dir "$work/s3"; s=$SECS
  grep -q 'imported: 10' "$work/imports.txt" || { cat "$work/imports.txt" >&2; exit 1; }
  imports_rss=$PEAK_MB
  echo "$s" >>"$work/imports.s"; echo "$p" >>"$work/pipe.s"
  echo "scale=3; $s / $p" | bc >>"$work/imports.ratios"
  delete_tagged "$tag"; delete_tagged bench-pipe
  rm -rf "$work/s3"
done

printf '%-12s %8s %10s %12s %8s %8s\n' "run" "rounds" "ours (s)" "baseline (s)" "ratio" "peak MB"
printf '%-12s %8s %10s %12s %8s %8s\n' "no-op" "$rounds" "$(median <"$work/noop.s")" "$(median <"$work/list.s")" \
  "$(median <"$work/noop.ratios")" "$noop_rss"
printf '%-12s %8s %10s %12s %8s %8s\n' "one change" "$rounds" "$(median <"$work/change.s")" "$(median <"$work/list.s")" \
  "$(median <"$work/change.ratios")" "$change_rss"
printf '%-12s %8s %10s %12s %8s %8s\n' "ten imports" "$import_rounds" "$(median <"$work/imports.s")" "$(median <"$work/pipe.s")" \
  "$(median <"$work/imports.ratios")" "$imports_rss"
echo "(baselines: 'openstack image list' for the first two, ten serial curl | curl -T uploads for the imports)"
