#!/usr/bin/python3
"""Checks Convscope's ONNX export outside Convscope.

For each test model NAME in tests/data/onnx/, `convscope export` writes the
imported model back out as ONNX; this script checks the file with ONNX's own
checker (with shape inference), runs it with PyTorch's functional ops (a
small interpreter for the opset-13 ops Convscope writes) on NAME.in.f32,
and compares with PyTorch's outputs in NAME.out.f32.

    tools/check-onnx-export.py build/app/convscope tests/data/onnx

Exit status 0: all match; 1: a mismatch; 77: python3-onnx or python3-torch
is missing (the test is then skipped).
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import onnx
    import torch
    import torch.nn.functional as F
    from onnx import numpy_helper
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

MODELS = ["lenet", "bn-nodes", "bn-folded", "residual", "inception", "convs", "depthwise", "lrn",
          "normalized", "shared-input", "wide-concat", "keras-like", "keras-gap", "rescaled"]
TOL = 1e-4


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def pad4(x, pads, value=0.0):
    """ONNX 2-D pads (top, left, bottom, right) -> F.pad (left, right, top, bottom)"""
    t, l, b, r = pads
    return F.pad(x, (l, r, t, b), value=value)


def run(model, x):
    env = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for n in model.graph.node:
        a = attrs(n)
        i = [env[name] if name else None for name in n.input]
        op = n.op_type
        if op == "Conv":
            y = F.conv2d(pad4(i[0], a.get("pads", [0] * 4)), i[1], i[2] if len(i) > 2 else None,
                         stride=a.get("strides", 1), dilation=a.get("dilations", 1), groups=a.get("group", 1))
        elif op == "Gemm":
            w = i[1].t() if a.get("transB", 0) else i[1]
            y = i[0] @ w + (i[2] if len(i) > 2 else 0)
        elif op == "Flatten":
            y = torch.flatten(i[0], a.get("axis", 1))
        elif op == "MaxPool":
            y = F.max_pool2d(pad4(i[0], a.get("pads", [0] * 4), float("-inf")), a["kernel_shape"],
                             a.get("strides", 1))
        elif op == "AveragePool":
            p = a.get("pads", [0] * 4)
            s = F.avg_pool2d(pad4(i[0], p), a["kernel_shape"], a.get("strides", 1), divisor_override=1)
            if a.get("count_include_pad", 0):
                y = s / (a["kernel_shape"][0] * a["kernel_shape"][1])
            else:
                ones = pad4(torch.ones_like(i[0][:1, :1]), p)
                y = s / F.avg_pool2d(ones, a["kernel_shape"], a.get("strides", 1), divisor_override=1)
        elif op == "GlobalAveragePool":
            y = i[0].mean(dim=(2, 3), keepdim=True)
        elif op == "BatchNormalization":
            y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, a.get("epsilon", 1e-5))
        elif op in ("Dropout", "Identity"):
            y = i[0]
        elif op == "Relu":
            y = torch.relu(i[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(i[0])
        elif op == "Tanh":
            y = torch.tanh(i[0])
        elif op == "LeakyRelu":
            y = F.leaky_relu(i[0], a.get("alpha", 0.01))
        elif op == "Softmax":
            y = torch.softmax(i[0], a.get("axis", -1))
        elif op in ("Add", "Sum"):
            y = sum(i)
        elif op == "Mul":
            y = i[0] * i[1]
        elif op == "Concat":
            y = torch.cat(i, a["axis"])
        elif op == "Clip":
            y = torch.clamp(i[0], float(i[1]), float(i[2]))
        elif op == "Pad":
            p = i[1].tolist()
            mode = a.get("mode", b"constant").decode()
            pads = (p[3], p[7], p[2], p[6])
            y = F.pad(i[0], pads, value=float(i[2])) if mode == "constant" else \
                F.pad(i[0], pads, mode={"reflect": "reflect", "edge": "replicate"}[mode])
        elif op == "LRN":
            y = F.local_response_norm(i[0], a["size"], a.get("alpha", 1e-4), a.get("beta", 0.75),
                                      a.get("bias", 1.0))
        else:
            raise RuntimeError(f"op {op} is not in this checker")
        env[n.output[0]] = y
    return env[model.graph.output[0].name]


def main():
    convscope, data = sys.argv[1], sys.argv[2]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in MODELS:
            out = os.path.join(tmp, name + ".onnx")
            subprocess.run([convscope, "export", "--model", os.path.join(data, name + ".onnx"),
                            "--out", out], check=True)
            model = onnx.load(out)
            onnx.checker.check_model(model, full_check=True)
            shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]
            x = torch.from_numpy(np.fromfile(os.path.join(data, name + ".in.f32"), "<f4")).view(-1, *shape)
            want = np.fromfile(os.path.join(data, name + ".out.f32"), "<f4")
            with torch.no_grad():
                got = run(model, x).numpy().ravel()
            err = np.max(np.abs(got - want) / np.maximum(1, np.maximum(np.abs(got), np.abs(want))))
            ok = got.shape == want.shape and err < TOL
            failed += not ok
            print(f"{'ok' if ok else 'MISMATCH'} {name}: exported, checked, max difference {err:.3g}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
