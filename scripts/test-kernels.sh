#!/usr/bin/env bash
# Tests the embedder's C kernels (Sources/CEmbeddingKernels) at the C level with Tests/CKernels/kernels_test.c:
# natively, then cross-compiled for arm64 and run under qemu-aarch64 twice: `-cpu max` (has BF16, so
# the BFDOT path runs) and `-cpu neoverse-n1` (NEON without BF16). Where a clang that targets arm64 is
# installed (the Swift toolchain's, which compiles the kernels in `swift build`), the arm64 kernels are
# also built with it and run under `-cpu max`. Installs the cross compiler and qemu through
# scripts/install-deps.sh. Timings under qemu mean nothing; this checks results only.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static

sources=(Sources/CEmbeddingKernels/EmbeddingKernels.c Sources/CEmbeddingKernels/EmbeddingKernelsARM.c Sources/CEmbeddingKernels/EmbeddingKernelsAMX.c)
test_source=Tests/CKernels/kernels_test.c
flags=(-std=gnu11 -Wall -Wextra -Werror -ISources/CEmbeddingKernels/include)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

native=${CC:-}
if [ -z "$native" ]; then
  if command -v clang >/dev/null; then native=clang; else native=gcc; fi
fi
echo "== native ($(uname -m), $native)"
# The kernels at -O3, as Package.swift builds them.
"$native" -O3 "${flags[@]}" "${sources[@]}" "$test_source" -lm -lpthread -o "$out/native"
"$out/native"

# gcc 12 for aarch64 fails (internal compiler error in the vectoriser) on the test at -O3: the test is
# built at -O2, the kernels at -O3.
cross=aarch64-linux-gnu-gcc
for source in "${sources[@]}"; do
  "$cross" -O3 "${flags[@]}" -c "$source" -o "$out/gcc-$(basename "$source" .c).o"
done
"$cross" -O2 "${flags[@]}" -c "$test_source" -o "$out/test.o"
"$cross" -static "$out"/gcc-*.o "$out/test.o" -lm -lpthread -o "$out/arm64-gcc"

# The test fails unless the CPU model has the level named: BF16 on `max`, NEON alone on `neoverse-n1`.
echo "== arm64 ($cross), qemu-aarch64-static -cpu max"
ENGRAM_EXPECT_LEVEL=neon-bf16 qemu-aarch64-static -cpu max "$out/arm64-gcc"
echo "== arm64 ($cross), qemu-aarch64-static -cpu neoverse-n1"
ENGRAM_EXPECT_LEVEL=neon qemu-aarch64-static -cpu neoverse-n1 "$out/arm64-gcc"

if command -v clang >/dev/null && clang --print-targets 2>/dev/null | grep -q aarch64; then
  for source in "${sources[@]}"; do
    clang --target=aarch64-linux-gnu --sysroot=/usr/aarch64-linux-gnu -O3 "${flags[@]}" -c "$source" \
      -o "$out/clang-$(basename "$source" .c).o"
  done
  "$cross" -static "$out"/clang-*.o "$out/test.o" -lm -lpthread -o "$out/arm64-clang"
  echo "== arm64 (kernels by clang), qemu-aarch64-static -cpu max"
  ENGRAM_EXPECT_LEVEL=neon-bf16 qemu-aarch64-static -cpu max "$out/arm64-clang"
else
  echo "== arm64 kernels by clang: skipped (no clang with an AArch64 target)"
fi
echo "== kernel tests passed"
