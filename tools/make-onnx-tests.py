#!/usr/bin/python3
"""Writes the ONNX test models of tests/engine/test-onnx.c into tests/data/onnx/.

Each model NAME gets NAME.onnx, NAME.in.f32 (a batch of 2 inputs) and
NAME.out.f32 (PyTorch's outputs for them), float32 little-endian, weights
random but fixed by the seed. Broken files test the importer's errors.

Needs Debian's python3-torch and python3-onnx (test-time tools only):
    /usr/bin/python3 tools/make-onnx-tests.py
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, TensorProto, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "onnx")


def randomize(model, seed):
    """Random weights and BN statistics, so no layer is at its initial identity."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.2)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.2)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
    return model


def export(name, model_class, shape, seed, opset=13, typed=False, external=False, check=None):
    torch.manual_seed(seed)   # the initial weights: the same files every run
    model = randomize(model_class(), seed).eval()
    x = torch.rand((2,) + shape, generator=torch.Generator().manual_seed(seed + 1))
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["image"],
                      output_names=["scores"], dynamic_axes={"image": {0: "N"}, "scores": {0: "N"}})
    m = onnx.load(path)
    if typed:
        # the typed fields (float_data, int64_data) instead of raw_data
        for i, t in enumerate(m.graph.initializer):
            a = numpy_helper.to_array(t)
            m.graph.initializer[i].CopyFrom(
                helper.make_tensor(t.name, t.data_type, a.shape, a.flatten().tolist(), raw=False))
    if external:
        data = os.path.join(OUT, name + ".data")
        if os.path.exists(data):
            os.remove(data)   # onnx appends to an existing file
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=name + ".data", size_threshold=0)
    else:
        onnx.save(m, path)
    ops = [n.op_type for n in m.graph.node]
    if check:
        check(ops)
    x.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".in.f32"))
    y.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".out.f32"))
    print(f"{name}: {' '.join(sorted(set(ops)))}")


class LeNet(nn.Module):
    """LeNet-5 in small: tanh and average pooling, flattened by view()."""
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 4, 5)
        self.c2 = nn.Conv2d(4, 8, 3)
        self.f1 = nn.Linear(8 * 2 * 2, 16)
        self.f2 = nn.Linear(16, 10)

    def forward(self, x):
        x = F.avg_pool2d(torch.tanh(self.c1(x)), 2)
        x = F.avg_pool2d(torch.sigmoid(self.c2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.f2(torch.relu(self.f1(x)))


class BnNodes(nn.Module):
    """BatchNormalization that cannot fold into a Conv (after a ReLU, after a Linear)."""
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 6, 3, padding=1)
        self.b1 = nn.BatchNorm2d(6)
        self.f1 = nn.Linear(6, 8)
        self.b2 = nn.BatchNorm1d(8)
        self.f2 = nn.Linear(8, 5)
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        x = self.b1(torch.relu(self.c1(x)))
        x = F.max_pool2d(x, 3, stride=2, padding=1)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.f2(self.drop(self.b2(self.f1(x))))


class BnFolded(nn.Module):
    """Conv then BN: PyTorch's export folds BN into the convolution."""
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 4, 3, bias=False)
        self.b1 = nn.BatchNorm2d(4)
        self.c2 = nn.Conv2d(4, 4, 3, stride=2)
        self.b2 = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 3 * 3, 3)

    def forward(self, x):
        x = torch.relu(self.b1(self.c1(x)))
        x = torch.relu(self.b2(self.c2(x)))
        return torch.softmax(self.fc(torch.flatten(x, 1)), dim=1)


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.c1 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(8)
        self.c2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        x = torch.relu(x + y)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Inception(nn.Module):
    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(3, 4, 1)
        self.b3a = nn.Conv2d(3, 3, 1)
        self.b3 = nn.Conv2d(3, 4, 3, padding=1)
        self.b5a = nn.Conv2d(3, 2, 1)
        self.b5 = nn.Conv2d(2, 4, 5, padding=2)
        self.bp = nn.Conv2d(3, 4, 1)
        self.fc = nn.Linear(16, 6)

    def forward(self, x):
        y = torch.cat([torch.relu(self.b1(x)),
                       torch.relu(self.b3(torch.relu(self.b3a(x)))),
                       torch.relu(self.b5(torch.relu(self.b5a(x)))),
                       torch.relu(self.bp(F.max_pool2d(x, 3, stride=1, padding=1)))], dim=1)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


class Convs(nn.Module):
    """Strided, padded, rectangular and dilated convolutions, asymmetric
    padding, both average-pool paddings, max-pool ceil mode."""
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 4, (3, 5), stride=(2, 1), padding=(1, 2))
        self.c2 = nn.Conv2d(4, 5, (1, 3), stride=2, padding=(0, 1))
        self.pad = nn.ZeroPad2d((1, 2, 0, 1))
        self.c3 = nn.Conv2d(5, 6, 3, dilation=2, padding=2)
        self.c4 = nn.Conv2d(6, 6, 2, stride=1)
        self.fc = nn.Linear(6 * 2 * 4, 4)

    def forward(self, x):
        x = F.leaky_relu(self.c1(x), 0.1)
        x = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=True)
        x = F.relu6(self.c2(x))
        x = self.c3(self.pad(x))
        x = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        x = F.max_pool2d(torch.relu(self.c4(x)), 2, ceil_mode=True)
        return self.fc(torch.flatten(x, 1))


class Depthwise(nn.Module):
    """MobileNet's depthwise separable block with ReLU6, a grouped convolution."""
    def __init__(self):
        super().__init__()
        self.expand = nn.Conv2d(3, 6, 1)
        self.dw = nn.Conv2d(6, 6, 3, padding=1, groups=6)
        self.grouped = nn.Conv2d(6, 4, 3, stride=2, groups=2)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = F.relu6(self.dw(F.relu6(self.expand(x))))
        x = self.grouped(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Normalized(nn.Module):
    """Standardization inside the graph (into the importer's normalizer), a
    per-channel scale in the middle, MatMul + Add, reflection padding."""
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.c1 = nn.Conv2d(3, 4, 3)
        self.gain = nn.Parameter(torch.rand(1, 4, 1, 1) + 0.5)
        self.w = nn.Parameter(torch.randn(4 * 3 * 3, 5) * 0.2)
        self.b = nn.Parameter(torch.randn(5) * 0.1)

    def forward(self, x):
        x = (x - self.mean) / self.std
        x = F.pad(self.c1(x), (1, 1, 1, 1), mode="reflect")
        x = torch.relu(x * self.gain - 0.1)
        x = F.max_pool2d(x, 2)
        return torch.flatten(x, 1) @ self.w + self.b


class SharedInput(nn.Module):
    """The input read raw and standardized: the constants cannot go into
    the standardization, they become a scale layer."""
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(2, 3, 1)
        self.b = nn.Conv2d(2, 3, 3, padding=1)
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        y = self.a(x) + self.b((x - 0.5) * 2.0)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(torch.relu(y), 1), 1))


class WideConcat(nn.Module):
    """Ten branches joined at once (DenseNet joins many): more than one
    concat layer takes."""
    def __init__(self):
        super().__init__()
        self.branches = nn.ModuleList([nn.Conv2d(2, 1, 1) for _ in range(10)])
        self.fc = nn.Linear(10, 3)

    def forward(self, x):
        y = torch.cat([b(x) for b in self.branches], dim=1)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))


def save_graph(name, nodes, inits, inputs, outputs, opset=13):
    g = helper.make_graph(nodes, name, inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(m, os.path.join(OUT, name + ".onnx"))


def lrn():
    """PyTorch exports LocalResponseNorm as a chain of ops, not ONNX's LRN:
    this one is written by hand. With an odd size, both define the window
    the same way."""
    x = torch.rand((2, 6, 4, 3), generator=torch.Generator().manual_seed(9)) * 2 - 1
    y = F.local_response_norm(x, 3, alpha=0.5, beta=0.75, k=1.5)
    xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 6, 4, 3])
    yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 6, 4, 3])
    save_graph("lrn", [helper.make_node("LRN", ["x"], ["y"], name="lrn", size=3, alpha=0.5,
                                        beta=0.75, bias=1.5)], [], [xi], [yo])
    x.numpy().astype("<f4").tofile(os.path.join(OUT, "lrn.in.f32"))
    y.numpy().astype("<f4").tofile(os.path.join(OUT, "lrn.out.f32"))
    print("lrn: LRN")


def keras_like():
    """What tf2onnx makes of a Keras CNN: an (N, H, W, C) input with its
    standardization, transposed for the convolution and back before Flatten,
    Dense as MatMul + Add. Written by hand (no TensorFlow in Debian), the
    reference computed with PyTorch. The stored input is (N, C, H, W), the
    order Convscope takes."""
    g = torch.Generator().manual_seed(12)
    H, W, C = 8, 6, 3
    mean, inv_std = torch.rand(C, generator=g), torch.rand(C, generator=g) + 1
    w1, b1 = torch.randn(4, C, 3, 3, generator=g) * 0.3, torch.randn(4, generator=g) * 0.1
    w2, b2 = torch.randn(4 * 3 * 4, 5, generator=g) * 0.2, torch.randn(5, generator=g) * 0.1
    x = torch.rand(2, H, W, C, generator=g)
    t = ((x - mean) * inv_std).permute(0, 3, 1, 2)
    t = F.max_pool2d(torch.relu(F.conv2d(t, w1, b1, padding=1)), 2)
    y = torch.softmax(t.permute(0, 2, 3, 1).reshape(2, -1) @ w2 + b2, dim=1)

    arr = lambda t, name: numpy_helper.from_array(t.numpy().astype(np.float32), name)
    inits = [arr(mean, "mean"), arr(inv_std, "inv_std"), arr(w1, "w1"), arr(b1, "b1"), arr(w2, "w2"),
             arr(b2, "b2"), numpy_helper.from_array(np.array([-1, 48], np.int64), "flat")]
    nodes = [helper.make_node("Sub", ["x", "mean"], ["xs"], name="normalization/sub"),
             helper.make_node("Mul", ["xs", "inv_std"], ["xn"], name="normalization/mul"),
             helper.make_node("Transpose", ["xn"], ["xt"], name="conv2d__5", perm=[0, 3, 1, 2]),
             helper.make_node("Conv", ["xt", "w1", "b1"], ["c"], name="conv2d/BiasAdd",
                              kernel_shape=[3, 3], auto_pad="SAME_UPPER"),
             helper.make_node("Relu", ["c"], ["r"], name="conv2d/Relu"),
             helper.make_node("MaxPool", ["r"], ["p"], name="max_pooling2d/MaxPool",
                              kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Transpose", ["p"], ["pt"], name="max_pooling2d__12", perm=[0, 2, 3, 1]),
             helper.make_node("Reshape", ["pt", "flat"], ["f"], name="flatten/Reshape"),
             helper.make_node("MatMul", ["f", "w2"], ["m"], name="dense/MatMul"),
             helper.make_node("Add", ["m", "b2"], ["d"], name="dense/BiasAdd"),
             helper.make_node("Softmax", ["d"], ["y"], name="dense/Softmax", axis=1)]
    xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["unk__1", H, W, C])
    yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["unk__2", 5])
    save_graph("keras-like", nodes, inits, [xi], [yo])
    x.permute(0, 3, 1, 2).numpy().astype("<f4").tofile(os.path.join(OUT, "keras-like.in.f32"))
    y.numpy().astype("<f4").tofile(os.path.join(OUT, "keras-like.out.f32"))
    print("keras-like: Sub Mul Transpose Conv Relu MaxPool Reshape MatMul Add Softmax")


def keras_gap():
    """tf2onnx's GlobalAveragePooling2D: a ReduceMean over the (N, H, W, C)
    tensor's height and width."""
    g = torch.Generator().manual_seed(14)
    w1, b1 = torch.randn(4, 2, 3, 3, generator=g) * 0.3, torch.randn(4, generator=g) * 0.1
    w2, b2 = torch.randn(4, 3, generator=g), torch.randn(3, generator=g) * 0.1
    x = torch.rand(2, 6, 5, 2, generator=g)
    t = torch.relu(F.conv2d(x.permute(0, 3, 1, 2), w1, b1)).permute(0, 2, 3, 1)
    y = t.mean(dim=(1, 2)) @ w2 + b2
    arr = lambda t, name: numpy_helper.from_array(t.numpy().astype(np.float32), name)
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], name="conv2d__5", perm=[0, 3, 1, 2]),
             helper.make_node("Conv", ["xt", "w1", "b1"], ["c"], name="conv2d/BiasAdd", kernel_shape=[3, 3]),
             helper.make_node("Relu", ["c"], ["r"], name="conv2d/Relu"),
             helper.make_node("Transpose", ["r"], ["rt"], name="conv2d__7", perm=[0, 2, 3, 1]),
             helper.make_node("ReduceMean", ["rt"], ["m"], name="global_average_pooling2d/Mean",
                              axes=[1, 2], keepdims=0),
             helper.make_node("MatMul", ["m", "w2"], ["d"], name="dense/MatMul"),
             helper.make_node("Add", ["d", "b2"], ["y"], name="dense/BiasAdd")]
    xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["unk__1", 6, 5, 2])
    yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["unk__2", 3])
    save_graph("keras-gap", nodes, [arr(w1, "w1"), arr(b1, "b1"), arr(w2, "w2"), arr(b2, "b2")], [xi], [yo])
    x.permute(0, 3, 1, 2).numpy().astype("<f4").tofile(os.path.join(OUT, "keras-gap.in.f32"))
    y.numpy().astype("<f4").tofile(os.path.join(OUT, "keras-gap.out.f32"))
    print("keras-gap: Transpose Conv Relu ReduceMean MatMul Add")


def rescaled():
    """A graph that divides its input by 255 itself (Keras' Rescaling): it
    takes bytes, which Convscope feeds as images in [0, 1] like any other,
    so the reference is the graph run on 255 x."""
    g = torch.Generator().manual_seed(13)
    w, b = torch.randn(2, 1, 3, 3, generator=g), torch.randn(2, generator=g) * 0.1
    x = torch.rand(2, 1, 5, 5, generator=g)
    y = torch.relu(F.conv2d(255 * x * (1 / 255), w, b))
    arr = lambda t, name: numpy_helper.from_array(t.numpy().astype(np.float32), name)
    nodes = [helper.make_node("Mul", ["x", "k"], ["xs"], name="rescaling/mul"),
             helper.make_node("Conv", ["xs", "w", "b"], ["c"], name="conv"),
             helper.make_node("Relu", ["c"], ["y"], name="relu")]
    xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 5, 5])
    yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2, 3, 3])
    save_graph("rescaled", nodes, [arr(torch.tensor(1 / 255), "k"), arr(w, "w"), arr(b, "b")], [xi], [yo])
    x.numpy().astype("<f4").tofile(os.path.join(OUT, "rescaled.in.f32"))
    y.numpy().astype("<f4").tofile(os.path.join(OUT, "rescaled.out.f32"))
    print("rescaled: Mul Conv Relu")


def broken():
    """Files the importer must refuse with a clear message."""
    lenet = open(os.path.join(OUT, "lenet.onnx"), "rb").read()
    open(os.path.join(OUT, "bad-truncated.onnx"), "wb").write(lenet[: len(lenet) // 2])
    open(os.path.join(OUT, "bad-text.onnx"), "wb").write(b"this is not a model\n" * 4)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 4, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2, 2, 2])
    w = numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), "w")
    # a cycle: a = x + c, c = relu(a)
    save_graph("bad-cycle", [helper.make_node("Add", ["x", "c"], ["a"], name="add"),
                             helper.make_node("Relu", ["a"], ["c"], name="relu"),
                             helper.make_node("Conv", ["a", "w"], ["y"], name="conv")],
               [w], [x], [y])
    # the weights are not among the initializers
    save_graph("bad-missing", [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
               [], [x], [y])
    # a kernel_shape given as floats
    save_graph("bad-attr-type", [helper.make_node("Conv", ["x", "w"], ["y"], name="conv",
                                                  kernel_shape=[3.0, 3.0])],
               [w], [x], [y])
    # weights stored as text
    ws = helper.make_tensor("w", TensorProto.STRING, [2, 1, 3, 3], [b"1"] * 18)
    save_graph("bad-tensor-type", [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
               [ws], [x], [y])
    # raw data one float short
    wr = numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), "w")
    wr.raw_data = np.ones(17, np.float32).tobytes()
    save_graph("bad-raw-size", [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
               [wr], [x], [y])
    # an op we do not have
    y1 = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 1, 4, 4])
    save_graph("bad-op", [helper.make_node("Erf", ["x"], ["y"], name="erf")], [], [x], [y1])
    # a reshape that is no flatten
    shp = numpy_helper.from_array(np.array([0, 2, -1], np.int64), "shape")
    y3 = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2, 8])
    save_graph("bad-reshape", [helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")],
               [shp], [x], [y3])
    # an input of free size
    xf = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, "H", "W"])
    save_graph("bad-free-size", [helper.make_node("Relu", ["x"], ["y"], name="relu")], [], [xf], [y1])
    # an attribute we do not have
    save_graph("bad-attr", [helper.make_node("Relu", ["x"], ["y"], name="relu", flavour=2)],
               [], [x], [y1])


def main():
    os.makedirs(OUT, exist_ok=True)

    def has(op, want):
        def check(ops):
            assert (op in ops) == want, f"{op} {'missing' if want else 'present'} in {ops}"
        return check

    export("lenet", LeNet, (1, 16, 16), 1, typed=True, check=has("Shape", True))
    export("bn-nodes", BnNodes, (3, 8, 8), 2, check=has("BatchNormalization", True))
    export("bn-folded", BnFolded, (2, 10, 10), 3, check=has("BatchNormalization", False))
    export("residual", Residual, (3, 8, 8), 4, external=True)
    export("inception", Inception, (3, 8, 8), 5, opset=11)
    export("convs", Convs, (3, 12, 9), 6, opset=15, check=has("Pad", True))
    export("depthwise", Depthwise, (3, 9, 9), 7, opset=17)
    lrn()
    export("normalized", Normalized, (3, 6, 6), 8, check=has("MatMul", True))
    export("shared-input", SharedInput, (2, 5, 5), 10)
    export("wide-concat", WideConcat, (2, 4, 4), 11)
    keras_like()
    keras_gap()
    rescaled()
    broken()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{total} bytes in {OUT}")
    assert total < 200 * 1024


if __name__ == "__main__":
    sys.exit(main())
