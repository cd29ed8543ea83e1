#!/usr/bin/env bash
# Benchmarks (figures, not tests): bench/run.sh [iterations]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/find-jdk.sh"
"$root/mvnw" -B -q -f "$root/pom.xml" -pl bench -am -DskipTests package
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$root/bench/target/classes:$(cat "$root/bench/target/bench.classpath")" \
  org.imagemanager.bench.PlanBenchmark "$@"
