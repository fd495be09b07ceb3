#!/usr/bin/env bash
# The main job: install, build, and run Convscope on its default (cnn2 on
# Fashion-MNIST). Until the workbench window exists this is the headless
# demo: train for 3 epochs, print the learning curve, evaluate on the test set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
out=runs/demo-cnn2
build/app/convscope train --data fashion-mnist --model cnn2 --epochs 3 --out "$out"
build/app/convscope eval --model "$out/best.ckpt" --split test
