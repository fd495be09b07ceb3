#!/usr/bin/env bash
# Inference speed of imported torchvision models, Convscope beside PyTorch, in one
# sitting: tools/bench-torch-imported.py exports resnet18 and vgg16 (random
# weights) to ONNX once into a cache folder, then for each model and thread count
# `convscope bench --inference` and PyTorch run alternately on the same batch size
# (the one convscope picks to keep activations under 512 MiB). PyTorch runs with
# oneDNN on and off (off is faster for resnet18 here) and the better one counts,
# as ../shared/peers/README.md asks. Prints one table.
#   scripts/compare-imported.sh [MODEL...]          (default: resnet18 vgg16)
#   CONVSCOPE_ONNX_CACHE=DIR   where the .onnx files go (default ~/.cache/convscope/onnx; VGG-16 is 528 MiB)
#   THREADS="1 2"  WINDOWS=5  MKLDNN="1 0"  ROUNDS=1   thread counts, timed windows, PyTorch's
#   oneDNN settings, and rounds (the table shows each side's median over rounds)
# Needs Debian's python3-torch and python3-torchvision, and a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
models=("${@:-resnet18 vgg16}")
read -r -a models <<< "${models[*]}"
cache=${CONVSCOPE_ONNX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/convscope/onnx}
threads=${THREADS:-1 2}
windows=${WINDOWS:-5}
mkldnn=${MKLDNN:-1 0}
rounds=${ROUNDS:-1}
tool=tools/bench-torch-imported.py
/usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null \
  || { echo "compare-imported: install python3-torch and python3-torchvision" >&2; exit 1; }
[[ -x build/app/convscope ]] || scripts/setup.sh

old_ifs=$IFS; IFS=,; list="${models[*]}"; IFS=$old_ifs
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$tool" export --cache "$cache" --models "$list" 2>/dev/null

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for ((r = 1; r <= rounds; r++)); do
for m in "${models[@]}"; do
  for t in $threads; do
    ours=$(build/app/convscope bench --inference --model "$cache/$m.onnx" --threads "$t" --windows "$windows" --json)
    batch=$(python3 -c 'import sys, json; print(json.loads(sys.argv[1])["batch"])' "$ours")
    echo "$m $t $ours" >> "$log"
    for k in $mkldnn; do
      theirs=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$tool" speed --model "$m" --batch "$batch" --threads "$t" \
                 --windows "$windows" --mkldnn "$k" 2>/dev/null)
      echo "$m $t $theirs" >> "$log"
    done
  done
done
done
python3 - "$log" <<'PY'
import collections, json, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    model, t, text = line.split(" ", 2)
    d = json.loads(text)
    who = "torch-%d" % d["mkldnn"] if "framework" in d else "ours"
    runs[(model, int(t), who)].append(d)
def med(ds):
    """the run with the median rate (the lower middle one of an even count)"""
    ds = sorted(ds, key=lambda d: d["infer_img_s"])
    return ds[(len(ds) - 1) // 2]
rows = {}
for (model, t, who), ds in runs.items():
    r = rows.setdefault((model, t), {})
    d = med(ds)
    if who == "ours":
        r["ours"] = d
    elif "torch" not in r or d["infer_img_s"] > r["torch"]["infer_img_s"]:
        r["torch"] = d   # PyTorch's better oneDNN setting
print("| model | input | batch | threads | Convscope img/s | PyTorch img/s (oneDNN) | ratio | Convscope peak RSS | PyTorch peak RSS |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for (model, t), r in rows.items():
    o, p = r["ours"], r["torch"]
    c, h, w = o["input"]
    print(f"| {model} | {c}×{h}×{w} | {o['batch']} | {t} | {o['infer_img_s']:.2f} | {p['infer_img_s']:.2f} "
          f"({'on' if p['mkldnn'] else 'off'}) | "
          f"{o['infer_img_s'] / p['infer_img_s']:.2f}× | {o['peak_rss_mib']:.0f} MiB | {p['peak_rss_mib']:.0f} MiB |")
PY
