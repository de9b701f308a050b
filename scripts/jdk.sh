# Sourced by ./hotmem, ./test and ./bench: finds a JDK 25 (or newer) and exports JAVA_HOME.
# Order: $JAVA_HOME when it is 25+, then a JDK 25+ under /usr/lib/jvm, else a clear error.
hotmem_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}
hotmem_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(hotmem_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then return 0; fi
  fi
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(hotmem_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then JAVA_HOME=$d; return 0; fi
  done
  echo "hotmem: needs a JDK 25 or newer (javac included)." >&2
  echo "  Set JAVA_HOME to one, or install one under /usr/lib/jvm" >&2
  echo "  (e.g. Debian/Ubuntu: apt-get install openjdk-25-jdk, or Temurin 25)." >&2
  return 1
}
hotmem_find_jdk || exit 1
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
  echo "hotmem: needs Apache Maven 3.8+ (Debian/Ubuntu: apt-get install maven)." >&2
  exit 1
fi
# Maven 3.8 on JDK 25 warns about sun.misc.Unsafe; that is Maven's business, not ours.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
