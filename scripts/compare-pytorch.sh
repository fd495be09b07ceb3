#!/usr/bin/env bash
# Training speed of Convscope and PyTorch side by side, in one sitting:
# ../shared/peers/torch_bench.py (each model in PyTorch's faster setting) and
# `convscope bench`, interleaved, ROUNDS times; prints the medians and ratios.
#   scripts/compare-pytorch.sh [ROUNDS] [MODEL...]     (default: 3 cnn2 cnn1 lenet vgg-mini)
# Needs Debian's python3-torch (apt-get install python3-torch) and a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
models=("${@:-cnn2 cnn1 lenet vgg-mini}")
read -r -a models <<< "${models[*]}"
peer=../shared/peers/torch_bench.py
[[ -f $peer ]] || { echo "compare-pytorch: $peer is missing" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "compare-pytorch: install python3-torch" >&2; exit 1; }
[[ -x build/app/convscope ]] || scripts/setup.sh

# PyTorch's faster setting per model (measured: oneDNN off is faster for cnn1 and lenet)
declare -A torch_name=([cnn2]=cnn2 [cnn1]=cnn1 [lenet]=lenet [vgg-mini]=vggmini)
declare -A mkldnn=([cnn2]=1 [cnn1]=0 [lenet]=0 [vgg-mini]=1)

log=$(mktemp)
for ((r = 1; r <= rounds; r++)); do
  for m in "${models[@]}"; do
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$peer" speed --model "${torch_name[$m]}" --batch 128 \
      --threads 2 --mkldnn "${mkldnn[$m]}" \
      | python3 -c "import sys, json; d = json.load(sys.stdin); print('torch', '$m', d['train_img_s_median'], d['infer_img_s_median'])" >> "$log"
    build/app/convscope bench --model "$m" --batch-size 128 --threads 2 --json \
      | python3 -c "import sys, json; d = json.load(sys.stdin); print('convscope', '$m', d['train_img_s'], d['infer_img_s'])" >> "$log"
  done
done
python3 - "$log" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    who, model, train, infer = line.split()
    runs[(who, model)].append((float(train), float(infer)))
print("| model | PyTorch train img/s | Convscope train img/s | ratio | PyTorch infer | Convscope infer |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for model in dict.fromkeys(m for _, m in runs):
    t = runs[("torch", model)]; c = runs[("convscope", model)]
    tt, ct = statistics.median(x[0] for x in t), statistics.median(x[0] for x in c)
    ti, ci = statistics.median(x[1] for x in t), statistics.median(x[1] for x in c)
    print(f"| {model} | {tt:,.0f} | {ct:,.0f} | {ct / tt:.2f}× | {ti:,.0f} | {ci:,.0f} |")
PY
rm -f "$log"
