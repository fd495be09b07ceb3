#!/usr/bin/env bash
# The lecture's transfer-learning challenge, offline, in about two minutes on
# two cores: pretrain cnn2 on Fashion-MNIST's classes 0-4 (T-shirt/top,
# Trouser, Pullover, Dress, Coat; all their images, 3 epochs), then learn its
# classes 5-9 (Sandal, Shirt, Sneaker, Bag, Ankle boot) from 20 images each:
#   scratch   cnn2 from random weights on the 100 images
#   features  the pretrained conv features (pool2, frozen) and a new softmax head
#   finetune  new head on frozen conv layers, then conv3 on at a tenth the rate
# (and 5 nearest neighbours on the same features, as a baseline).
# Every strategy is tested on all 5,000 test images of classes 5-9.
#
#   scripts/transfer-demo.sh [OUT_DIR] [SEED]     (default runs/transfer-demo, 0)
#
# The pretrained model is kept in OUT_DIR/pretrain and reused by later runs;
# delete it to pretrain again. Needs dataset-fashion-mnist (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/transfer-demo}
seed=${2:-0}
bin=${CONVSCOPE:-build/app/convscope}
[[ -x $bin ]] || { echo "transfer-demo: build first (meson setup build && ninja -C build)" >&2; exit 1; }

if [[ ! -f $out/pretrain/model.ckpt ]]; then
  echo "== Pretraining cnn2 on Fashion-MNIST classes 0-4"
  "$bin" train --data fashion-mnist --classes 0-4 --model cnn2 --epochs 3 --standardize pixel \
    --seed "$seed" --out "$out/pretrain"
fi

echo "== Transfer to classes 5-9, 20 training images per class"
# pool2 (the last conv block, flattened) rather than fc1's 40 units: the
# layers closest to the old head are the most specific to clothes
common=(--from "$out/pretrain/model.ckpt" --classes 5-9 --limit-per-class 20 --epochs 30
        --lr 0.003 --seed "$seed" --layer pool2)
"$bin" transfer "${common[@]}" --strategy all --freeze-until pool2 --stage2-from conv3 \
  --out "$out/seed-$seed"
"$bin" transfer "${common[@]}" --strategy features --head knn --out "$out/seed-$seed/knn" \
  | grep "test accuracy" | sed 's/^features/knn     /'

echo
echo "== Test accuracy on classes 5-9 (seed $seed; results.csv, comparison.png in $out/seed-$seed)"
column -s, -t "$out/seed-$seed/results.csv"
