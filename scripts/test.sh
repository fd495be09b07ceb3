#!/usr/bin/env bash
# Install, build, and run the whole test suite twice: once as built for use,
# once with AddressSanitizer and UndefinedBehaviorSanitizer. Ends with the
# line "N passed, N failed" and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
CONVSCOPE_TEST_PACKAGES=1 scripts/setup.sh || exit 1

if [[ ! -f build-sanitize/build.ninja ]]; then
  meson setup build-sanitize --buildtype=debugoptimized -Db_sanitize=address,undefined \
    -Db_lundef=false >/dev/null || exit 1
fi
ninja -C build-sanitize >/dev/null || exit 1

status=0
meson test -C build --print-errorlogs --num-processes 1 || status=1
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C build-sanitize --print-errorlogs --num-processes 1 --timeout-multiplier 4 || status=1

python3 - build/meson-logs/testlog.json build-sanitize/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            r = json.loads(line)["result"]
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
