# shellcheck shell=sh
# Sourced by ./mvnw and ./image-manager: Image Manager needs a JDK >= 21. When JAVA_HOME (or, without it, the
# `java` on PATH) is older, use the newest JDK >= 21 found under /usr/lib/jvm (e.g. Debian's default is 17 while a
# Temurin 25 is installed beside it) and export it as JAVA_HOME.
imagemanager_java_major() {
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\(\.\([0-9]*\)\)\{0,1\}.*/\1 \3/p' | head -n 1 |
    awk '{ if ($1 == "1") print $2; else print $1 }'
}
imagemanager_find_jdk() {
  current_java=""
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    current_java="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    current_java="$(command -v java)"
  fi
  if [ -n "$current_java" ]; then
    major="$(imagemanager_java_major "$current_java")"
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      return 0
    fi
  fi
  best_home=""
  best_major=0
  # mvnw runs with `set -f`; the search needs globbing for a moment.
  case $- in *f*) glob_was_off=1; set +f ;; *) glob_was_off=0 ;; esac
  candidates="$(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* 2>/dev/null || true)"
  [ "$glob_was_off" = 0 ] || set -f
  for home in $candidates; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major="$(imagemanager_java_major "$home/bin/java")"
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best_major="$major"
      best_home="$home"
    fi
  done
  if [ -z "$best_home" ]; then
    echo "Image Manager needs a JDK 21 or newer; set JAVA_HOME to one (found only: ${current_java:-no java})" >&2
    return 1
  fi
  JAVA_HOME="$best_home"
  export JAVA_HOME
}
imagemanager_find_jdk
