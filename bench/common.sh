# Shared by the bench scripts (source it after setting ROOT): the JDK the launcher would pick, and
# the benchmarks jar, rebuilt when a source or POM it contains is newer.

# The feature version of the java at $1/bin/java, or 0.
java_major() {
  local v
  v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)"
  v="${v#1.}"
  echo "${v:-0}"
}

# Exports JAVA_HOME as a JDK >= 25 ($JAVA_HOME first, then /usr/lib/jvm), or exits; $1 names the caller.
use_jdk25() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [[ -n "$c" && -x "$c/bin/java" && -x "$c/bin/javac" ]] || continue
    if (( $(java_major "$c") >= 25 )); then export JAVA_HOME="$c"; return 0; fi
  done
  echo "$1: no JDK >= 25 found (looked at \$JAVA_HOME and /usr/lib/jvm)" >&2
  exit 1
}

# Sets JAR to bench/target/benchmarks.jar, building it when missing or older than a source; $1 names the caller.
ensure_bench_jar() {
  JAR="$ROOT/bench/target/benchmarks.jar"
  if [[ ! -f "$JAR" ]] || [[ -n "$(find "$ROOT"/{core,nn,diffusion,diti,bench}/src/main "$ROOT"/pom.xml "$ROOT"/*/pom.xml -newer "$JAR" -type f -print -quit 2>/dev/null)" ]]; then
    echo "$1: building $JAR" >&2
    "$ROOT/mvnw" -f "$ROOT/pom.xml" -B -q -DskipTests package -pl bench -am
  fi
}
