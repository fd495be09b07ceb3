#!/usr/bin/python3
"""PyTorch's side of `convscope bench --inference` for torchvision models.

Run with Debian's interpreter (/usr/bin/python3; python3-torch, python3-torchvision).

  /usr/bin/python3 tools/bench-torch-imported.py export --cache DIR [--models resnet18,vgg16]
  /usr/bin/python3 tools/bench-torch-imported.py speed --cache DIR --model resnet18 --batch 32 --threads 2

'export' builds each model with random weights (seed 0) in eval mode and writes
DIR/MODEL.onnx (opset 13; VGG-16 is 528 MiB, so DIR is a cache, never committed).
'speed' loads the same random weights, runs eval-mode inference under no_grad on a
batch of random 224x224 images in [0, 1] and prints one JSON line: images/s as the
median of several timed windows of whole batches after a warm-up pass (as
app/cli/cnn-cli-bench-inference.c times ours), and this process's peak RSS.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torchvision

MODELS = {"resnet18": torchvision.models.resnet18, "vgg16": torchvision.models.vgg16}


def build(name):
    if name not in MODELS:
        raise SystemExit("unknown model %s (known: %s)" % (name, ", ".join(MODELS)))
    torch.manual_seed(0)
    return MODELS[name](weights=None).eval()


def export(args):
    os.makedirs(args.cache, exist_ok=True)
    for name in args.models.split(","):
        path = os.path.join(args.cache, name + ".onnx")
        if os.path.exists(path) and not args.force:
            print("%s: already there" % path)
            continue
        model = build(name)
        x = torch.rand(1, 3, 224, 224)
        tmp = path + ".part"
        with torch.no_grad():
            torch.onnx.export(model, x, tmp, opset_version=13, input_names=["image"],
                              output_names=["scores"],
                              dynamic_axes={"image": {0: "N"}, "scores": {0: "N"}})
        os.replace(tmp, path)
        print("%s: %.0f MiB" % (path, os.path.getsize(path) / 1048576))


def speed(args):
    torch.set_num_threads(args.threads)
    torch.backends.mkldnn.enabled = bool(args.mkldnn)
    model = build(args.model)
    x = torch.rand(args.batch, 3, 224, 224, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        t0 = time.perf_counter()
        model(x)  # the warm-up
        per_step = time.perf_counter() - t0
        if per_step < args.window_seconds / 4:
            t0, n = time.perf_counter(), 0
            while n < 3 or time.perf_counter() - t0 < 0.3:
                model(x)
                n += 1
            per_step = (time.perf_counter() - t0) / n
        steps = max(1, int(args.window_seconds / per_step))
        rates = []
        for _ in range(args.windows):
            t0 = time.perf_counter()
            for _ in range(steps):
                model(x)
            rates.append(steps * args.batch / (time.perf_counter() - t0))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"model": args.model, "framework": "pytorch " + torch.__version__, "batch": args.batch,
                      "threads": args.threads, "mkldnn": bool(args.mkldnn),
                      "infer_img_s": round(statistics.median(rates), 3), "windows": args.windows,
                      "peak_rss_mib": round(rss, 1)}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("--cache", required=True)
    e.add_argument("--models", default="resnet18,vgg16")
    e.add_argument("--force", action="store_true")
    s = sub.add_parser("speed")
    s.add_argument("--cache", default=None, help="unused; accepted so both commands take the same options")
    s.add_argument("--model", required=True)
    s.add_argument("--batch", type=int, default=8)
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--windows", type=int, default=5)
    s.add_argument("--window-seconds", type=float, default=1.5)
    s.add_argument("--mkldnn", type=int, default=1)
    args = ap.parse_args()
    if args.cmd == "export":
        export(args)
    else:
        if args.batch < 1 or args.threads < 1 or args.windows < 1:
            raise SystemExit("--batch, --threads and --windows must be positive")
        speed(args)


if __name__ == "__main__":
    sys.exit(main())
