# Sourced by ./fwdlearn and .ci/run: selects a JDK 25+ into JAVA_HOME and PATH, or fails with a clear message.
# Order: $JAVA_HOME if it is 25 or newer, then the usual install locations.
fwdlearn_java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
fwdlearn_select_jdk() {
  local seen=() cand major
  for cand in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
    major=$(fwdlearn_java_major "$cand/bin/java")
    [ -n "$major" ] || continue
    if [ "$major" -ge 25 ]; then
      export JAVA_HOME="$cand"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
    seen+=("$cand (JDK $major)")
  done
  {
    echo "fwdlearn needs a JDK 25 or newer (it uses the jdk.incubator.vector module of JDK 25)."
    if [ ${#seen[@]} -gt 0 ]; then echo "Found only: ${seen[*]}"; else echo "No JDK was found in JAVA_HOME or /usr/lib/jvm."; fi
    echo "Install a JDK 25 (e.g. Temurin 25) and point JAVA_HOME at it: export JAVA_HOME=/path/to/jdk-25"
  } >&2
  return 1
}
