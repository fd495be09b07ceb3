#!/usr/bin/env bash
# The lecture's transfer-learning challenge, offline, in about two minutes on
# two cores: pretrain cnn2 on Fashion-MNIST's classes 0-4 (T-shirt/top,
# Trouser, Pullover, Dress, Coat; all their images, 3 epochs), then learn its
# classes 5-9 (Sandal, Shirt, Sneaker, Bag, Ankle boot) from 20 images each:
#   scratch   cnn2 from random weights on the 100 images
#   features  the pretrained conv features (pool2, frozen), a new softmax head
#   finetune  fc1 and a new head on the frozen conv layers, then conv3 on
#             too, at a tenth of the learning rate
#   knn       5 nearest neighbours (cosine) on the same features, a baseline
# Every strategy is tested on all 5,000 test images of classes 5-9, for
# three seeds (the 20 images a class, the new weights, the shuffling).
#
#   scripts/transfer-demo.sh [OUT_DIR]        (default runs/transfer-demo)
#   SEEDS="0 1 2 3 4" scripts/transfer-demo.sh
#
# The pretrained model is kept in OUT_DIR/pretrain and reused by later runs;
# delete it to pretrain again. Needs dataset-fashion-mnist (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/transfer-demo}
seeds=${SEEDS:-0 1 2}
bin=${CONVSCOPE:-build/app/convscope}
[[ -x $bin ]] || { echo "transfer-demo: build first (meson setup build && ninja -C build)" >&2; exit 1; }

if [[ ! -f $out/pretrain/model.ckpt ]]; then
  echo "== Pretraining cnn2 on Fashion-MNIST classes 0-4"
  "$bin" train --data fashion-mnist --classes 0-4 --model cnn2 --epochs 3 \
    --seed 0 --out "$out/pretrain"
fi

for seed in $seeds; do
  echo
  echo "== Transfer to classes 5-9, 20 training images per class, seed $seed"
  # pool2 (the last conv block, flattened) rather than fc1's 40 units: the
  # layers nearest the old head are the most specific to clothes
  common=(--from "$out/pretrain/model.ckpt" --classes 5-9 --limit-per-class 20 --epochs 30
          --lr 0.003 --seed "$seed" --layer pool2)
  "$bin" transfer "${common[@]}" --strategy all --freeze-until pool2 --stage2-from conv3 \
    --out "$out/seed-$seed"
  "$bin" transfer "${common[@]}" --strategy features --head knn --out "$out/seed-$seed/knn" \
    | grep "test accuracy" | sed 's/^features/knn     /'
done

echo
echo "== Test accuracy on the 5,000 test images of classes 5-9 (figures: $out/seed-*/comparison.png)"
for seed in $seeds; do
  sed 1d "$out/seed-$seed/results.csv" | cut -d, -f1,2 | sed "s/^/$seed,/"
  sed 1d "$out/seed-$seed/knn/results.csv" | cut -d, -f1,2 | sed "s/^/$seed,/; s/features/knn/"
done | awk -F, '
  { acc[$2, $1] = $3; sum[$2] += $3; n[$2]++; if (!($1 in seen)) { seen[$1] = 1; order[++ns] = $1 } }
  END {
    printf "%-10s", "strategy"; for (i = 1; i <= ns; i++) printf "  seed %-3s", order[i]; printf "    mean\n"
    split("scratch features finetune knn", names, " ")
    for (k = 1; k <= 4; k++) {
      s = names[k]; printf "%-10s", s
      for (i = 1; i <= ns; i++) printf "  %8.4f", acc[s, order[i]]
      printf "  %6.4f\n", sum[s] / n[s]
    }
  }'
