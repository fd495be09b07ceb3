#!/usr/bin/env bash
# The main job: install, build, and run Convscope on its default (cnn2 on
# Fashion-MNIST). With a display this opens the workbench window; without
# one it is the headless demo: train for 3 epochs, print the learning curve,
# evaluate on the test set and write the lesson's figures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  exec build/app/convscope
fi
out=runs/demo-cnn2
build/app/convscope train --data fashion-mnist --model cnn2 --epochs 3 --out "$out"
build/app/convscope eval --model "$out/best.ckpt" --split test
# the lesson's figures, beside the run they come from
fig=build/app/convscope
$fig figure curves --run "$out" --out "$out/curves.png"
$fig figure filters --model "$out/best.ckpt" --out "$out/filters.png"
$fig figure summary --model "$out/best.ckpt" --out "$out/summary.png"
$fig figure data --data fashion-mnist --out "$out/samples.png"
$fig figure standardization --data fashion-mnist --out "$out/standardization.png"
# what the network learned, and which pixels made it decide
$fig figure activations --model "$out/best.ckpt" --layer conv2 --out "$out/activations.png"
$fig figure receptive-field --model "$out/best.ckpt" --out "$out/receptive-field.png"
$fig figure top-patches --model "$out/best.ckpt" --layer conv3 --out "$out/top-patches.png"
$fig figure feature-vis --model "$out/best.ckpt" --layer conv4 --out "$out/feature-vis.png"
$fig figure class-vis --model "$out/best.ckpt" --out "$out/class-vis.png"
$fig explain all --model "$out/best.ckpt" --index 23 --smoothgrad 50 --out "$out/explain.png"
echo "Figures in $out: curves, filters, summary, samples, standardization, activations,"
echo "receptive-field, top-patches, feature-vis, class-vis and explain (.png)"
