#!/usr/bin/env bash
# The benchmark matrix (issue 15): cogen against hand-written code, built in
# both release profiles, the generator defined in the consuming crate and in
# another crate, drained from one loop and from three call sites. Prints the
# tables (time ratios, callgrind instructions per item) and the worst cell
# per workload. The workloads and the harness: tests/bench-gens.
#
#   tests/benches/matrix.sh                      # the whole matrix (a few minutes)
#   tests/benches/matrix.sh --no-callgrind       # times only
#   tests/benches/matrix.sh --workloads count,tree --profiles release
#   tests/benches/matrix.sh --nightly --workloads count,async_count,suspend
#
# Options: --nightly (build with the nightly toolchain, adding the compiler's
# own generators as columns: a `gen` block for count, an `async gen` block
# for async count and real suspension; cogen is then compiled by nightly too),
# --profiles "release release-lto" (cargo profiles to build),
# --out DIR (target/matrix; one .tsv per profile, kept), and any option of
# the harness: --workloads a,b (count self_borrow cleanup flatten async_count suspend tree
# tree_stream tokenizer), --rounds R (15), --repeats K (3; a round keeps each
# column's fastest of K timings), --target-ms T (2), --no-callgrind, --jobs J
# (parallel callgrind runs, 2).
set -euo pipefail
cd "$(dirname "$0")/../.."

profiles="release release-lto"
out=target/matrix
args=()
toolchain=()
features=()
while [ $# -gt 0 ]; do
    case "$1" in
        --profiles) profiles="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --nightly) toolchain=(+nightly); features=(--features nightly); shift ;;
        --no-callgrind) args+=("$1"); shift ;;
        --workloads|--rounds|--repeats|--target-ms|--jobs) args+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "matrix.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

mkdir -p "$out"
files=()
bin=
for p in $profiles; do
    echo "== building the matrix ($p profile)" >&2
    bin=$(cargo "${toolchain[@]}" build "${features[@]}" -p cogen-bench-gens --bench matrix --profile "$p" --message-format=json-render-diagnostics \
        | jq -r 'select(.reason == "compiler-artifact" and .target.name == "matrix" and .executable != null) | .executable')
    echo "== measuring ($p profile): $bin" >&2
    "$bin" measure "$p" "${args[@]}" > "$out/$p.tsv"
    files+=("$out/$p.tsv")
done
echo "## Benchmark matrix ($(git rev-parse --short HEAD), $(rustc "${toolchain[@]}" --version))"
"$bin" report "${files[@]}"
