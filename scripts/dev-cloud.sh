#!/usr/bin/env bash
# dev-cloud.sh — a real, local OpenStack Keystone + Glance on 127.0.0.1 for development and tests.
#
#   scripts/dev-cloud.sh up              install (if needed), configure, bootstrap and start; idempotent
#   scripts/dev-cloud.sh down [--purge]  stop what `up` started; --purge also deletes the state directory
#   scripts/dev-cloud.sh env             print `export OS_CLIENT_CONFIG_FILE=…` (use: eval "$(scripts/dev-cloud.sh env)")
#   scripts/dev-cloud.sh status          show whether Keystone and Glance run (exit 0: both up, 3: otherwise)
#
# Keystone: http://127.0.0.1:5000/v3 (uwsgi, fernet tokens, sqlite in WAL mode)
#           http://127.0.0.1:5001/v3 the same Keystone (database, keys) whose tokens expire after 60 s
# Glance:   http://127.0.0.1:9292    (glance-api, file store, interoperable import incl. web-download from
#                                     127.0.0.1, qcow2 -> raw conversion on import), region RegionOne
#           http://127.0.0.1:9293    a second glance-api (own database and store) as region RegionTwo
# clouds.yaml: clouds `dev` (admin/admin), `dev-demo` (demo/demo, role member) and `dev-regions` (admin,
#              regions: [RegionOne, RegionTwo]), `dev-short-token` (admin through the 60 s Keystone).
#
# State (configs, sqlite databases, keys, images, generated passwords, pid files, logs) lives in
# <repo>/.dev-cloud/ unless DEV_CLOUD_DIR is set. Debian 12 packages (Keystone 22 / Glance 25, "Zed"); no
# systemd, no Docker. The OpenStack programs always run with the system interpreter /usr/bin/python3.
# Passwords are generated once, kept in the state directory (mode 600) and never printed.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
STATE_DIR="${DEV_CLOUD_DIR:-$REPO_DIR/.dev-cloud}"

HOST=127.0.0.1
KS_PORT=5000
GLANCE_PORT=9292
# a second Glance (own database and store) in region RegionTwo of the same Keystone: one cloud, two regions
GLANCE2_PORT=9293
GLANCE2_URL="http://127.0.0.1:$GLANCE2_PORT"
REGION2=RegionTwo
KS_URL="http://$HOST:$KS_PORT"
# A second Keystone process on the same database and keys whose tokens live one minute: tests of token renewal
# (Glance validates its tokens like any other; the expiry travels inside the fernet token).
KS_SHORT_PORT=5001
KS_SHORT_URL="http://$HOST:$KS_SHORT_PORT"
KS_SHORT_TOKEN_SECONDS=60
GLANCE_URL="http://$HOST:$GLANCE_PORT"
REGION=RegionOne
KS_WAIT_SECONDS="${DEV_CLOUD_KEYSTONE_TIMEOUT:-60}"
GLANCE_WAIT_SECONDS="${DEV_CLOUD_GLANCE_TIMEOUT:-90}"

SYS_PY=/usr/bin/python3
UWSGI_PY_PLUGIN=/usr/lib/uwsgi/plugins/python3_plugin.so
APT_PACKAGES=(keystone glance-api python3-openstackclient qemu-utils sqlite3 uwsgi-plugin-python3)

# Environment for the OpenStack programs: system PATH only (no pyenv shims), no foreign Python settings,
# and never send loopback traffic through a proxy.
SERVICE_ENV=(env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV -u PYTHONSTARTUP
  PATH=/usr/sbin:/usr/bin:/sbin:/bin
  NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}")
CURL=(curl --noproxy '*' -sS)

log() { printf '[dev-cloud] %s\n' "$*" >&2; }
die() { printf '[dev-cloud] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  cat >&2 <<EOF
usage: $(basename "$0") up | down [--purge] | env | status
state directory: $STATE_DIR
EOF
  exit 2
}

# ---------------------------------------------------------------------------------------------------------------
# packages
# ---------------------------------------------------------------------------------------------------------------
missing_tools() {
  local missing=()
  local t
  for t in keystone-manage glance-api glance-manage uwsgi qemu-img sqlite3; do
    PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [[ -e $UWSGI_PY_PLUGIN ]] || missing+=("uwsgi python3 plugin")
  [[ -x /usr/bin/openstack ]] || missing+=("/usr/bin/openstack")
  [[ -x /usr/bin/keystone-wsgi-public ]] || missing+=("/usr/bin/keystone-wsgi-public")
  [[ -e /etc/glance/glance-api-paste.ini ]] || missing+=("/etc/glance/glance-api-paste.ini")
  [[ -x $SYS_PY ]] || missing+=("$SYS_PY")
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  printf '%s\n' "${missing[@]+"${missing[@]}"}"
}

ensure_packages() {
  local missing
  missing="$(missing_tools)"
  [[ -z $missing ]] && return 0
  log "missing: $(echo "$missing" | paste -sd, -); installing Debian packages (takes a few minutes)"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 \
      || die "not root and sudo is not available: install as root: apt-get install ${APT_PACKAGES[*]} curl"
    sudo=(sudo)
  fi
  local pkgs=("${APT_PACKAGES[@]}")
  command -v curl >/dev/null 2>&1 || pkgs+=(curl)
  local aptlog="${TMPDIR:-/tmp}/dev-cloud-apt.$$.log"
  if ! "${sudo[@]}" apt-get update >"$aptlog" 2>&1; then
    tail -n 20 "$aptlog" >&2; die "apt-get update failed (full log: $aptlog)"
  fi
  # The packages try to start their services through invoke-rc.d; that is refused here and harmless.
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" \
      >>"$aptlog" 2>&1; then
    log "apt-get install reported an error (often only a refused service start); checking the tools"
  fi
  missing="$(missing_tools)"
  if [[ -n $missing ]]; then
    tail -n 30 "$aptlog" >&2
    die "still missing after apt-get install: $(echo "$missing" | paste -sd, -) (full log: $aptlog)"
  fi
  rm -f "$aptlog"
  log "packages installed"
}

# ---------------------------------------------------------------------------------------------------------------
# state, secrets, configuration
# ---------------------------------------------------------------------------------------------------------------
ensure_state_dir() {
  mkdir -p "$STATE_DIR"
  chmod 700 "$STATE_DIR"
  [[ -e $STATE_DIR/.dev-cloud-state ]] || echo "dev-cloud state directory (scripts/dev-cloud.sh)" >"$STATE_DIR/.dev-cloud-state"
  mkdir -p "$STATE_DIR"/{fernet-keys,credential-keys,images,staging,tasks,secrets}
  chmod 700 "$STATE_DIR/secrets"
}

gen_password() { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-24; }

# secret NAME -> prints the password stored for NAME, generating it once
secret() {
  local f="$STATE_DIR/secrets/$1.password"
  if [[ ! -s $f ]]; then
    (umask 077; gen_password >"$f.tmp" && mv "$f.tmp" "$f")
  fi
  chmod 600 "$f"
  cat "$f"
}

write_keystone_conf() { # [NAME TOKEN_SECONDS]: keystone with the default token lifetime unless told
  local name=${1:-keystone} expiration=${2:-3600}
  (umask 077; cat >"$STATE_DIR/$name.conf.tmp" <<EOF
# generated by scripts/dev-cloud.sh — regenerated on every \`up\`
[DEFAULT]
log_file = $STATE_DIR/$name.log
debug = false

[database]
connection = sqlite:///$STATE_DIR/keystone.db

[token]
provider = fernet
expiration = $expiration

[fernet_tokens]
key_repository = $STATE_DIR/fernet-keys

[credential]
key_repository = $STATE_DIR/credential-keys
EOF
  mv "$STATE_DIR/$name.conf.tmp" "$STATE_DIR/$name.conf")
}

write_glance_conf() { # [NAME PORT SUFFIX]: glance-api 9292 "" by default; the second Glance has its own db and store
  local name=${1:-glance-api} port=${2:-$GLANCE_PORT} suffix=${3:-} glance_pw
  glance_pw="$(secret glance)"
  (umask 077; cat >"$STATE_DIR/$name.conf.tmp" <<EOF
# generated by scripts/dev-cloud.sh — regenerated on every \`up\` (contains the glance service password)
[DEFAULT]
bind_host = $HOST
bind_port = $port
workers = 1
log_file = $STATE_DIR/$name.log
debug = false
enabled_backends = fs:file
enabled_import_methods = [glance-direct,web-download,copy-image]
# 0 = unlimited per-user storage
user_storage_quota = 0
use_keystone_limits = false

[database]
connection = sqlite:///$STATE_DIR/glance$suffix.db

[glance_store]
default_backend = fs

[fs]
filesystem_store_datadir = $STATE_DIR/images$suffix/

[os_glance_staging_store]
filesystem_store_datadir = $STATE_DIR/staging$suffix/

[os_glance_tasks_store]
filesystem_store_datadir = $STATE_DIR/tasks$suffix/

[import_filtering_opts]
allowed_ports = []
allowed_hosts = [$HOST]

[image_import_opts]
image_import_plugins = ['image_conversion']

[image_conversion]
output_format = raw

[keystone_authtoken]
www_authenticate_uri = $KS_URL
auth_url = $KS_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = glance
password = $glance_pw
service_token_roles_required = true

[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
EOF
  mv "$STATE_DIR/$name.conf.tmp" "$STATE_DIR/$name.conf")
}

write_clouds_yaml() {
  local admin_pw demo_pw
  admin_pw="$(secret admin)"
  demo_pw="$(secret demo)"
  (umask 077; cat >"$STATE_DIR/clouds.yaml.tmp" <<EOF
# generated by scripts/dev-cloud.sh — local Keystone + Glance on $HOST
clouds:
  dev:
    auth:
      auth_url: $KS_URL/v3
      username: admin
      password: '$admin_pw'
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    identity_api_version: 3
    interface: public
  dev-demo:
    auth:
      auth_url: $KS_URL/v3
      username: demo
      password: '$demo_pw'
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    identity_api_version: 3
    interface: public
  dev-regions:
    auth:
      auth_url: $KS_URL/v3
      username: admin
      password: '$admin_pw'
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    regions: [$REGION, $REGION2]
    identity_api_version: 3
    interface: public
  dev-short-token:
    auth:
      auth_url: $KS_SHORT_URL/v3
      username: admin
      password: '$admin_pw'
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    identity_api_version: 3
    interface: public
EOF
  mv "$STATE_DIR/clouds.yaml.tmp" "$STATE_DIR/clouds.yaml")
  chmod 600 "$STATE_DIR/clouds.yaml"
}

sqlite_wal() {
  local mode
  mode="$(sqlite3 "$1" 'PRAGMA journal_mode=WAL;')"
  [[ $mode == wal ]] || die "could not switch $1 to WAL (journal_mode=$mode)"
}

# keystone-manage may print an eventlet traceback at exit; its exit code and the database are what count.
keystone_manage() {
  local out="$STATE_DIR/keystone-manage.log"
  if ! "${SERVICE_ENV[@]}" keystone-manage --config-file "$STATE_DIR/keystone.conf" "$@" >>"$out" 2>&1; then
    tail -n 30 "$out" >&2
    die "keystone-manage $1 failed (log: $out)"
  fi
}

init_databases() {
  local me_user me_group
  me_user="$(id -un)"; me_group="$(id -gn)"
  log "initialising Keystone database and keys"
  keystone_manage db_sync
  keystone_manage fernet_setup --keystone-user "$me_user" --keystone-group "$me_group"
  keystone_manage credential_setup --keystone-user "$me_user" --keystone-group "$me_group"
  # password through the environment (not the command line, not the logs)
  OS_BOOTSTRAP_PASSWORD="$(secret admin)" keystone_manage bootstrap \
    --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-admin-url "$KS_URL/v3/" --bootstrap-public-url "$KS_URL/v3/" \
    --bootstrap-internal-url "$KS_URL/v3/" --bootstrap-region-id "$REGION"
  sqlite_wal "$STATE_DIR/keystone.db"

  glance_db_sync glance-api "" .db-initialised
}

glance_db_sync() { # NAME DB_SUFFIX MARKER: the database of one Glance (glance-api, glance-api-2)
  log "initialising the database of $1"
  local out="$STATE_DIR/$1-manage.log"
  if ! "${SERVICE_ENV[@]}" glance-manage --config-file "$STATE_DIR/$1.conf" db_sync >>"$out" 2>&1; then
    tail -n 30 "$out" >&2
    die "glance-manage db_sync of $1 failed (log: $out)"
  fi
  sqlite_wal "$STATE_DIR/glance$2.db"
  touch "$STATE_DIR/$3"
}

# ---------------------------------------------------------------------------------------------------------------
# processes
# ---------------------------------------------------------------------------------------------------------------
# running NAME -> 0 if the pid in NAME.pid is alive and really is the process we started (cwd = state dir)
running() {
  local pidfile="$STATE_DIR/$1.pid" pid
  [[ -s $pidfile ]] || return 1
  pid="$(<"$pidfile")"
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null || true)" == "$(cd "$STATE_DIR" && pwd -P)" ]] || return 1
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  case $1 in
    keystone) [[ $cmd == *uwsgi* && $cmd == *"$HOST:$KS_PORT"* ]] ;;
    keystone-short) [[ $cmd == *uwsgi* && $cmd == *"$HOST:$KS_SHORT_PORT"* ]] ;;
    glance-api|glance-api-2) [[ $cmd == *glance-api* && $cmd == *"$1.conf"* ]] ;;
    *) return 1 ;;
  esac
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

http_code() { "${CURL[@]}" -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true; }

# start NAME PORT LOGFILE COMMAND... : background, own session, cwd = state dir
start_bg() {
  local name=$1 port=$2 logf=$3; shift 3
  if port_open "$port"; then
    die "port $HOST:$port is already in use by a process this dev-cloud ($STATE_DIR) did not start; stop it first"
  fi
  (
    exec 9>&- # do not hand the dev-cloud lock to the service
    cd "$STATE_DIR"
    exec setsid nohup "$@" >>"$logf" 2>&1 </dev/null
  ) &
  echo $! >"$STATE_DIR/$name.pid"
}

# wait_http NAME URL EXPECTED_CODE TIMEOUT LOGFILES...
wait_http() {
  local name=$1 url=$2 want=$3 timeout=$4; shift 4
  local start=$SECONDS code="" why="did not answer $want on $url within ${timeout}s"
  while (( SECONDS - start < timeout )); do
    code="$(http_code "$url")"
    [[ $code == "$want" ]] && return 0
    if ! running "$name"; then
      why="exited during start-up without answering $want on $url"
      break
    fi
    sleep 0.5
  done
  local f
  for f in "$@"; do
    [[ -e $f ]] || continue
    printf -- '----- last lines of %s -----\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
  die "$name $why (last answer: ${code:-none}; logs in $STATE_DIR)"
}

start_keystone() {
  if running keystone; then
    log "Keystone already running (pid $(<"$STATE_DIR/keystone.pid"))"
  else
    log "starting Keystone on $KS_URL"
    start_bg keystone "$KS_PORT" "$STATE_DIR/keystone-uwsgi.log" \
      "${SERVICE_ENV[@]}" OS_KEYSTONE_CONFIG_FILES="$STATE_DIR/keystone.conf" \
      uwsgi --plugin python3 --http-socket "$HOST:$KS_PORT" --wsgi-file /usr/bin/keystone-wsgi-public \
      --processes 1 --threads 1 --master --die-on-term --need-app
  fi
  wait_http keystone "$KS_URL/v3" 200 "$KS_WAIT_SECONDS" "$STATE_DIR/keystone-uwsgi.log" "$STATE_DIR/keystone.log"
}

start_short_keystone() {
  if running keystone-short; then
    log "short-token Keystone already running (pid $(<"$STATE_DIR/keystone-short.pid"))"
  else
    log "starting the short-token Keystone (${KS_SHORT_TOKEN_SECONDS}s tokens) on $KS_SHORT_URL"
    start_bg keystone-short "$KS_SHORT_PORT" "$STATE_DIR/keystone-short-uwsgi.log" \
      "${SERVICE_ENV[@]}" OS_KEYSTONE_CONFIG_FILES="$STATE_DIR/keystone-short.conf" \
      uwsgi --plugin python3 --http-socket "$HOST:$KS_SHORT_PORT" --wsgi-file /usr/bin/keystone-wsgi-public \
      --processes 1 --threads 1 --master --die-on-term --need-app
  fi
  wait_http keystone-short "$KS_SHORT_URL/v3" 200 "$KS_WAIT_SECONDS" "$STATE_DIR/keystone-short-uwsgi.log" "$STATE_DIR/keystone-short.log"
}

start_glance() {
  if running glance-api; then
    log "Glance already running (pid $(<"$STATE_DIR/glance-api.pid"))"
  else
    log "starting Glance on $GLANCE_URL"
    start_bg glance-api "$GLANCE_PORT" "$STATE_DIR/glance-api-console.log" \
      "${SERVICE_ENV[@]}" glance-api --config-file "$STATE_DIR/glance-api.conf"
  fi
  wait_http glance-api "$GLANCE_URL/" 300 "$GLANCE_WAIT_SECONDS" \
    "$STATE_DIR/glance-api-console.log" "$STATE_DIR/glance-api.log"
}

start_second_glance() {
  if running glance-api-2; then
    log "second Glance already running (pid $(<"$STATE_DIR/glance-api-2.pid"))"
  else
    log "starting the second Glance ($REGION2) on $GLANCE2_URL"
    start_bg glance-api-2 "$GLANCE2_PORT" "$STATE_DIR/glance-api-2-console.log" \
      "${SERVICE_ENV[@]}" glance-api --config-file "$STATE_DIR/glance-api-2.conf"
  fi
  wait_http glance-api-2 "$GLANCE2_URL/" 300 "$GLANCE_WAIT_SECONDS" \
    "$STATE_DIR/glance-api-2-console.log" "$STATE_DIR/glance-api-2.log"
}

stop_one() {
  local name=$1 pidfile="$STATE_DIR/$1.pid" pid
  if ! running "$name"; then
    log "$name: not running"
    rm -f "$pidfile"
    return 0
  fi
  pid="$(<"$pidfile")"
  # setsid made the process a session/group leader: signal its group (master + workers), else the pid alone
  local pgid target
  pgid="$(awk '{print $5}' "/proc/$pid/stat" 2>/dev/null || true)"
  if [[ $pgid == "$pid" ]]; then target="-$pid"; else target="$pid"; fi
  log "stopping $name (pid $pid)"
  kill -TERM -- "$target" 2>/dev/null || true
  local i
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop on TERM; sending KILL"
    kill -KILL -- "$target" 2>/dev/null || true
    sleep 0.5
  fi
  # workers of the group that outlived their parent
  if [[ $target == -* ]]; then kill -KILL -- "$target" 2>/dev/null || true; fi
  rm -f "$pidfile"
}

# ---------------------------------------------------------------------------------------------------------------
# Keystone REST bootstrap (users, projects, roles, service catalog) — idempotent
# ---------------------------------------------------------------------------------------------------------------
API_BODY=""
API_HDR=""

# api METHOD PATH  (request body, if any, on stdin) -> sets API_CODE, body in $API_BODY
api() {
  local method=$1 path=$2 data=()
  if [[ $method == POST || $method == PATCH || $method == PUT ]]; then data=(--data-binary @-); fi
  API_CODE="$("${CURL[@]}" -o "$API_BODY" -w '%{http_code}' -X "$method" -H @"$API_HDR" \
    -H 'Content-Type: application/json' "${data[@]+"${data[@]}"}" "$KS_URL$path")" || API_CODE=000
}

api_ok() {
  [[ $API_CODE == 2* ]] && return 0
  printf '%s\n' "$(head -c 2000 "$API_BODY" 2>/dev/null)" >&2
  die "Keystone API $1 failed with HTTP $API_CODE"
}

json_first_id() { # KEY < json  -> id of first element of list KEY, or empty
  "$SYS_PY" -c 'import json,sys; l=json.load(sys.stdin)[sys.argv[1]]; print(l[0]["id"] if l else "")' "$1" <"$API_BODY"
}
json_id() { # KEY < json -> KEY.id
  "$SYS_PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]]["id"])' "$1" <"$API_BODY"
}

ks_token() {
  local hdrs="$STATE_DIR/.auth-headers" admin_pw
  admin_pw="$(secret admin)"
  local code
  code="$(printf '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"%s"}}},"scope":{"project":{"name":"admin","domain":{"id":"default"}}}}}' "$admin_pw" \
    | "${CURL[@]}" -o "$API_BODY" -D "$hdrs" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary @- "$KS_URL/v3/auth/tokens")" || code=000
  if [[ $code != 201 ]]; then
    head -c 2000 "$API_BODY" >&2 || true; echo >&2
    rm -f "$hdrs"
    die "could not get an admin token from Keystone (HTTP $code)"
  fi
  local token
  token="$(tr -d '\r' <"$hdrs" | awk -F': ' 'tolower($1)=="x-subject-token"{print $2}')"
  rm -f "$hdrs"
  [[ -n $token ]] || die "Keystone returned no X-Subject-Token"
  (umask 077; printf 'X-Auth-Token: %s\n' "$token" >"$API_HDR")
}

ensure_project() { # NAME DESCRIPTION -> prints id
  api GET "/v3/projects?name=$1&domain_id=default" </dev/null; api_ok "GET project $1"
  local id; id="$(json_first_id projects)"
  if [[ -z $id ]]; then
    printf '{"project":{"name":"%s","domain_id":"default","description":"%s","enabled":true}}' "$1" "$2" \
      | api POST /v3/projects
    api_ok "create project $1"
    id="$(json_id project)"
    log "created project $1"
  fi
  echo "$id"
}

ensure_user() { # NAME PASSWORD DEFAULT_PROJECT_ID -> prints id; (re)sets the password to the stored one
  api GET "/v3/users?name=$1&domain_id=default" </dev/null; api_ok "GET user $1"
  local id; id="$(json_first_id users)"
  if [[ -z $id ]]; then
    printf '{"user":{"name":"%s","domain_id":"default","password":"%s","default_project_id":"%s","enabled":true}}' \
      "$1" "$2" "$3" | api POST /v3/users
    api_ok "create user $1"
    id="$(json_id user)"
    log "created user $1"
  else
    printf '{"user":{"password":"%s","enabled":true}}' "$2" | api PATCH "/v3/users/$id"
    api_ok "update user $1"
  fi
  echo "$id"
}

role_id() {
  api GET "/v3/roles?name=$1" </dev/null; api_ok "GET role $1"
  local id; id="$(json_first_id roles)"
  [[ -n $id ]] || die "role $1 does not exist in Keystone"
  echo "$id"
}

grant() { # PROJECT_ID USER_ID ROLE_ID
  api PUT "/v3/projects/$1/users/$2/roles/$3" </dev/null; api_ok "grant role"
}

ensure_region() { # ID DESCRIPTION
  api GET "/v3/regions/$1" </dev/null
  if [[ $API_CODE == 404 ]]; then
    # a here-string, not a pipe: api must run in this shell to set API_CODE
    api POST /v3/regions <<<"$(printf '{"region":{"id":"%s","description":"%s"}}' "$1" "$2")"
    api_ok "create region $1"
  fi
}

ensure_endpoint() { # SERVICE_ID REGION INTERFACE URL
  api GET "/v3/endpoints?service_id=$1&interface=$3&region_id=$2" </dev/null; api_ok "GET endpoints"
  if [[ -z "$(json_first_id endpoints)" ]]; then
    api POST /v3/endpoints <<<"$(printf '{"endpoint":{"service_id":"%s","interface":"%s","region_id":"%s","url":"%s","enabled":true}}' \
      "$1" "$3" "$2" "$4")"
    api_ok "create $2 $3 endpoint"
    log "created $2 $3 endpoint $4"
  fi
}

ensure_image_service() {
  api GET "/v3/services?type=image" </dev/null; api_ok "GET services"
  local sid; sid="$(json_first_id services)"
  if [[ -z $sid ]]; then
    printf '{"service":{"name":"glance","type":"image","description":"OpenStack Image (dev-cloud)","enabled":true}}' \
      | api POST /v3/services
    api_ok "create service glance"
    sid="$(json_id service)"
    log "created service glance (image)"
  fi
  local iface
  for iface in public internal admin; do
    ensure_endpoint "$sid" "$REGION" "$iface" "$GLANCE_URL"
  done
  # A region whose Glance does not answer (nothing listens on port 9): a cloud entry with region_name: DeadRegion
  # reaches Keystone but not Glance, for the tests of failures that end a run at once.
  ensure_region DeadRegion "dev-cloud: a Glance that does not answer"
  ensure_endpoint "$sid" DeadRegion public "http://127.0.0.1:9"
  # RegionTwo: the second Glance, and Keystone again (one Keystone serves both regions)
  ensure_region "$REGION2" "dev-cloud: a second region with a Glance of its own"
  for iface in public internal admin; do
    ensure_endpoint "$sid" "$REGION2" "$iface" "$GLANCE2_URL"
  done
  api GET "/v3/services?type=identity" </dev/null; api_ok "GET identity service"
  ensure_endpoint "$(json_first_id services)" "$REGION2" public "$KS_URL/v3/"
}

bootstrap_identity() {
  API_BODY="$(mktemp "$STATE_DIR/.api-body.XXXXXX")"
  API_HDR="$(mktemp "$STATE_DIR/.api-hdr.XXXXXX")"
  trap 'rm -f "$API_BODY" "$API_HDR" "$STATE_DIR/.auth-headers"' EXIT
  log "bootstrapping projects, users and the image service through the Keystone API"
  ks_token
  local admin_role member_role service_pid demo_pid glance_uid demo_uid
  admin_role="$(role_id admin)"
  member_role="$(role_id member)"
  service_pid="$(ensure_project service 'Service project (dev-cloud)')"
  demo_pid="$(ensure_project demo 'Demo project (dev-cloud)')"
  glance_uid="$(ensure_user glance "$(secret glance)" "$service_pid")"
  demo_uid="$(ensure_user demo "$(secret demo)" "$demo_pid")"
  grant "$service_pid" "$glance_uid" "$admin_role"
  grant "$demo_pid" "$demo_uid" "$member_role"
  ensure_image_service
  rm -f "$API_BODY" "$API_HDR"
  trap - EXIT
  touch "$STATE_DIR/.bootstrapped"
}

# ---------------------------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------------------------
with_lock() {
  exec 9>"$STATE_DIR/.lock"
  flock -w 600 9 || die "another dev-cloud.sh is running on $STATE_DIR (lock $STATE_DIR/.lock)"
}

cmd_up() {
  [[ $# -eq 0 ]] || usage
  ensure_state_dir
  with_lock
  if running keystone && running keystone-short && running glance-api && running glance-api-2 \
      && [[ -e $STATE_DIR/.bootstrapped && -e $STATE_DIR/.db2-initialised && -s $STATE_DIR/clouds.yaml ]] \
      && [[ "$(http_code "$KS_URL/v3")" == 200 && "$(http_code "$GLANCE_URL/")" == 300 ]]; then
    log "already up: Keystone $KS_URL/v3 (pid $(<"$STATE_DIR/keystone.pid")), Glance $GLANCE_URL (pid $(<"$STATE_DIR/glance-api.pid"))"
    return 0
  fi
  ensure_packages
  secret admin >/dev/null; secret glance >/dev/null; secret demo >/dev/null
  write_keystone_conf
  write_keystone_conf keystone-short "$KS_SHORT_TOKEN_SECONDS"
  write_glance_conf
  write_glance_conf glance-api-2 "$GLANCE2_PORT" -2
  [[ -e $STATE_DIR/.db-initialised ]] || init_databases
  [[ -e $STATE_DIR/.db2-initialised ]] || glance_db_sync glance-api-2 -2 .db2-initialised
  start_keystone
  [[ -e $STATE_DIR/.bootstrapped ]] || bootstrap_identity
  write_clouds_yaml
  start_short_keystone
  start_glance
  start_second_glance
  log "up: Keystone $KS_URL/v3, Glance $GLANCE_URL ($REGION) and $GLANCE2_URL ($REGION2); state in $STATE_DIR"
  log "use: eval \"\$($0 env)\" && /usr/bin/openstack --os-cloud dev image list"
}

cmd_down() {
  local purge=false
  case "${1:-}" in
    "") ;;
    --purge) purge=true ;;
    *) usage ;;
  esac
  if [[ ! -d $STATE_DIR ]]; then
    log "nothing to stop ($STATE_DIR does not exist)"
    return 0
  fi
  with_lock
  stop_one glance-api-2
  stop_one glance-api
  stop_one keystone-short
  stop_one keystone
  if $purge; then
    [[ -e $STATE_DIR/.dev-cloud-state ]] || die "$STATE_DIR does not look like a dev-cloud state directory; not deleting it"
    rm -rf "$STATE_DIR"
    log "purged $STATE_DIR"
  fi
}

cmd_env() {
  [[ -s $STATE_DIR/clouds.yaml ]] || die "$STATE_DIR/clouds.yaml does not exist; run: $0 up"
  printf 'export OS_CLIENT_CONFIG_FILE=%q\n' "$(cd "$STATE_DIR" && pwd -P)/clouds.yaml"
}

cmd_status() {
  local rc=0 name url want code
  for name in keystone keystone-short glance-api glance-api-2; do
    case $name in
      keystone) url="$KS_URL/v3"; want=200 ;;
      keystone-short) url="$KS_SHORT_URL/v3"; want=200 ;;
      glance-api) url="$GLANCE_URL/"; want=300 ;;
      *) url="$GLANCE2_URL/"; want=300 ;;
    esac
    if [[ -d $STATE_DIR ]] && running "$name"; then
      code="$(http_code "$url")"
      if [[ $code == "$want" ]]; then
        echo "$name: running (pid $(<"$STATE_DIR/$name.pid")), $url answers $code"
      else
        echo "$name: running (pid $(<"$STATE_DIR/$name.pid")) but $url answers ${code:-nothing} (expected $want)"
        rc=3
      fi
    else
      echo "$name: stopped"
      rc=3
    fi
  done
  echo "state: $STATE_DIR"
  return "$rc"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    env) cmd_env "$@" ;;
    status) cmd_status "$@" ;;
    *) usage ;;
  esac
}

main "$@"
