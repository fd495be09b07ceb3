#!/usr/bin/env bash
# Inference speed of imported torchvision models, Convscope beside PyTorch, in one
# sitting: tools/bench-torch-imported.py exports resnet18 and vgg16 (random
# weights) to ONNX once into a cache folder, then for each model and thread count
# `convscope bench --inference` and PyTorch run alternately on the same batch size
# (the one convscope picks to keep activations under 512 MiB). Prints one table.
#   scripts/compare-imported.sh [MODEL...]          (default: resnet18 vgg16)
#   CONVSCOPE_ONNX_CACHE=DIR   where the .onnx files go (default ~/.cache/convscope/onnx; VGG-16 is 528 MiB)
#   THREADS="1 2"  WINDOWS=5   thread counts and timed windows per run
# Needs Debian's python3-torch and python3-torchvision, and a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
models=("${@:-resnet18 vgg16}")
read -r -a models <<< "${models[*]}"
cache=${CONVSCOPE_ONNX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/convscope/onnx}
threads=${THREADS:-1 2}
windows=${WINDOWS:-5}
tool=tools/bench-torch-imported.py
/usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null \
  || { echo "compare-imported: install python3-torch and python3-torchvision" >&2; exit 1; }
[[ -x build/app/convscope ]] || scripts/setup.sh

old_ifs=$IFS; IFS=,; list="${models[*]}"; IFS=$old_ifs
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$tool" export --cache "$cache" --models "$list" 2>/dev/null

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for m in "${models[@]}"; do
  for t in $threads; do
    ours=$(build/app/convscope bench --inference --model "$cache/$m.onnx" --threads "$t" --windows "$windows" --json)
    batch=$(python3 -c 'import sys, json; print(json.loads(sys.argv[1])["batch"])' "$ours")
    theirs=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$tool" speed --model "$m" --batch "$batch" --threads "$t" \
               --windows "$windows" 2>/dev/null)
    echo "$m $t $ours" >> "$log"
    echo "$m $t $theirs" >> "$log"
  done
done
python3 - "$log" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    model, t, text = line.split(" ", 2)
    d = json.loads(text)
    rows.setdefault((model, int(t)), {})["torch" if "framework" in d else "ours"] = d
print("| model | input | batch | threads | Convscope img/s | PyTorch img/s | ratio | Convscope peak RSS | PyTorch peak RSS |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for (model, t), r in rows.items():
    o, p = r["ours"], r["torch"]
    c, h, w = o["input"]
    print(f"| {model} | {c}×{h}×{w} | {o['batch']} | {t} | {o['infer_img_s']:.2f} | {p['infer_img_s']:.2f} | "
          f"{o['infer_img_s'] / p['infer_img_s']:.2f}× | {o['peak_rss_mib']:.0f} MiB | {p['peak_rss_mib']:.0f} MiB |")
PY
