"""One LeNet-5 training epoch on MNIST: PyTorch on the CPU versus this repository's Rust engine.

Optional, not part of CI or the book build. Needs PyTorch and NumPy:

    pip install torch numpy
    cargo build --release --example ch06_lenet
    python3 bench/pytorch_lenet.py --threads 2

Both sides train the same network (28x28 input padded by 2, conv 6@5x5, ReLU, 2x2 max pool,
conv 16@5x5, ReLU, 2x2 max pool, dense 120, 84, 10) for one epoch of the 60,000 training images,
batch 64, SGD with momentum 0.9 and the same learning rate, on the same number of threads. The
script times PyTorch's epoch (training only), then runs the Rust example with `--train-only
--epochs 1` and reads its epoch time, and prints both and their ratio (Rust / PyTorch).

On a shared machine one run of each says little: another program may take a core during one
side's epoch and not the other's. So the two sides take turns, `--rounds` times, the side that
goes first alternating (PyTorch then cnn-core, cnn-core then PyTorch, ...), every epoch time is
printed, and the ratio is taken between each side's fastest epoch, the one least disturbed by
other work.

The script also watches the machine: before and after every epoch it reads the one-minute load
average and times two fixed references: a 512x512 NumPy matrix product on one thread, and ten
PyTorch training steps of the same network on one fixed batch, on the run's threads (PyTorch's
OpenMP threads wait for each other, so other work slows PyTorch far more than it slows a single
thread). It calls the machine busy, warns, and does not write its table, when the load average
reached the number of threads plus one or a timing of the NumPy reference was more than 20%
slower than its fastest: then other work shared the cores and the numbers, PyTorch's
especially, are not the machine's. It also warns when the PyTorch reference or one side's
epochs differ by more than 20% from round to round with the machine otherwise quiet; on a
virtual machine two threads that wake each other at every step can do that by themselves (seen
here for both sides on two threads, never on one), so the table is written with the spreads in
it, and the fastest epochs are what it compares.
"""

import argparse
import gzip
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

# The reference timing runs NumPy's matrix product on one thread (set before NumPy loads).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# glibc's allocator hands large freed blocks back to the system at once and maps them anew on
# the next step, so that every PyTorch step pays page faults for its activations and gradients,
# a different number each time: PyTorch's epochs here varied by 30% from round to round on an
# otherwise idle machine. Raising the two thresholds keeps freed memory for reuse (what PyTorch's
# performance guides do with jemalloc or tcmalloc). The script starts itself again with the
# setting, which both sides then run under, unless GLIBC_TUNABLES is already set.
ALLOCATOR = "glibc.malloc.mmap_threshold=1000000000:glibc.malloc.trim_threshold=2000000000"
if "GLIBC_TUNABLES" not in os.environ:
    os.environ["GLIBC_TUNABLES"] = ALLOCATOR
    os.execv(sys.executable, [sys.executable, *sys.argv])

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def read_idx(path, header_words):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=4 * header_words)


def load_train():
    d = ROOT / "data" / "mnist"
    images = read_idx(d / "train-images-idx3-ubyte.gz", 4).reshape(-1, 1, 28, 28).astype(np.float32) / 255.0
    labels = read_idx(d / "train-labels-idx1-ubyte.gz", 2).astype(np.int64)
    mean, std = images.mean(), images.std()
    return torch.from_numpy((images - mean) / std), torch.from_numpy(labels)


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def pytorch_epoch(threads, batch_size, learning_rate):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    images, labels = load_train()
    model = lenet5()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(len(labels))
    start = time.perf_counter()
    for i in range(0, len(labels), batch_size):
        batch = order[i:i + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(images[batch]), labels[batch])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


REFERENCE = np.random.default_rng(1).random((512, 512), dtype=np.float32)


def reference_seconds():
    """The fastest of five 512x512 products: a yardstick of how much of the machine is ours."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        REFERENCE @ REFERENCE
        best = min(best, time.perf_counter() - start)
    return best


REFERENCE_STEPS = 10


def pytorch_reference_seconds(threads, batch_size, learning_rate):
    """The fastest of three runs (after one to warm up) of REFERENCE_STEPS training steps on one
    fixed batch: how fast PyTorch's threads run on this machine now, without the epoch's data."""
    torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(2)
    images = torch.randn(batch_size, 1, 28, 28, generator=generator)
    labels = torch.randint(0, 10, (batch_size,), generator=generator)
    model = lenet5()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    best = float("inf")
    for run in range(4):  # the first run only warms up (PyTorch prepares its kernels)
        start = time.perf_counter()
        for _ in range(REFERENCE_STEPS):
            optimizer.zero_grad()
            loss_fn(model(images), labels).backward()
            optimizer.step()
        if run > 0:
            best = min(best, time.perf_counter() - start)
    return best


def conditions(args):
    """The one-minute load average and the two reference timings, now."""
    return (os.getloadavg()[0], reference_seconds(),
            pytorch_reference_seconds(args.threads, args.batch_size, args.learning_rate))


def processor():
    """The processor's name as the system reports it (Linux), or what Python knows of it."""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def spread(values):
    """The slowest of some timings as a multiple of the fastest."""
    return max(values) / min(values)


def rust_epoch(threads, batch_size, learning_rate):
    binary = ROOT / "target" / "release" / "examples" / "ch06_lenet"
    (ROOT / "target" / "ch06").mkdir(parents=True, exist_ok=True)  # ch06_lenet makes no folders
    out = subprocess.run(
        [str(binary), "--train-only", "--epochs", "1", "--threads", str(threads), "--optimizer", "sgd",
         "--batch-size", str(batch_size), "--learning-rate", str(learning_rate),
         "--model", "target/ch06/bench.cnn"],
        check=True, capture_output=True, text=True, cwd=ROOT,
    ).stdout
    match = re.search(r"epoch 1: .*\(([\d.]+) s\)", out)
    if not match:
        raise SystemExit(f"could not read the epoch time from:\n{out}")
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=0.02)
    parser.add_argument("--rounds", type=int, default=4,
                        help="epochs timed on each side, taking turns (the fastest counts)")
    parser.add_argument("--write", action="store_true",
                        help="also write the result to book/generated/ch06/pytorch_comparison_threads_N.md "
                             "(and its Chinese twin)")
    args = parser.parse_args()
    if args.threads < 1 or args.rounds < 1 or args.batch_size < 1 or args.learning_rate <= 0:
        raise SystemExit("--threads, --rounds and --batch-size must be at least 1, "
                         "--learning-rate above 0")
    sides = {
        "PyTorch": lambda: pytorch_epoch(args.threads, args.batch_size, args.learning_rate),
        "cnn-core": lambda: rust_epoch(args.threads, args.batch_size, args.learning_rate),
    }
    times = {name: [] for name in sides}
    loads, references, torch_references = [], [], []
    for round_number in range(1, args.rounds + 1):
        order = list(sides) if round_number % 2 == 1 else list(reversed(sides))
        report = []
        for name in order:
            load_before, reference_before, torch_before = conditions(args)
            seconds = sides[name]()
            load_after, reference_after, torch_after = conditions(args)
            times[name].append(seconds)
            loads += [load_before, load_after]
            references += [reference_before, reference_after]
            torch_references += [torch_before, torch_after]
            report.append(f"{name} {seconds:.2f} s (load {load_before:.1f} -> {load_after:.1f}, "
                          f"reference {1e3 * reference_before:.1f} -> {1e3 * reference_after:.1f} ms, "
                          f"PyTorch reference {1e3 * torch_before:.0f} -> {1e3 * torch_after:.0f} ms)")
        print(f"round {round_number}: " + "; ".join(report), flush=True)
    torch_seconds, rust_seconds = min(times["PyTorch"]), min(times["cnn-core"])
    ratio = rust_seconds / torch_seconds
    busiest = max(loads)
    spreads = {
        "NumPy reference timings": spread(references),
        "PyTorch reference timings": spread(torch_references),
        "PyTorch epochs": spread(times["PyTorch"]),
        "cnn-core epochs": spread(times["cnn-core"]),
    }
    print(f"threads {args.threads}, batch {args.batch_size}, one epoch of 60,000 images (training only), "
          f"fastest of {args.rounds} rounds")
    print(f"PyTorch {torch.__version__}: {torch_seconds:.2f} s")
    print(f"cnn-core:        {rust_seconds:.2f} s")
    print(f"ratio (cnn-core / PyTorch): {ratio:.2f}")
    print(f"GLIBC_TUNABLES={os.environ['GLIBC_TUNABLES']}")
    print(f"load average from {min(loads):.1f} to {busiest:.1f}; slowest as a multiple of fastest: "
          + ", ".join(f"{what} {value:.2f}" for what, value in spreads.items()))
    uneven = [what for what, value in spreads.items() if value > 1.2]
    for what in uneven:
        print(f"WARNING: the {what} differ by more than 20% from round to round.")
    busy = busiest >= args.threads + 1 or spreads["NumPy reference timings"] > 1.2
    if busy:
        print("WARNING: the machine was busy during the measurement (other work shared the cores); "
              "these numbers are not the machine's. Measure again when nothing else runs.")
    if args.write:
        name = f"pytorch_comparison_threads_{args.threads}.md"
        if busy:
            raise SystemExit(f"not writing book/generated/ch06/{name}: the machine was busy")
        rows = {
            "en": (
                "| one epoch of LeNet-5, batch 64, SGD with momentum, "
                f"{args.threads} thread{'' if args.threads == 1 else 's'}, fastest of {args.rounds} | seconds |\n"
                "|---|---:|\n"
                f"| PyTorch {torch.__version__} (CPU) | {torch_seconds:.2f} |\n"
                f"| cnn-core (this book) | {rust_seconds:.2f} |\n"
                f"| ratio cnn-core / PyTorch | {ratio:.2f} |\n"
                f"| load average during the runs | {min(loads):.1f} to {busiest:.1f} |\n"
                f"| slowest epoch as a multiple of the fastest: PyTorch, cnn-core | "
                f"{spreads['PyTorch epochs']:.2f}, {spreads['cnn-core epochs']:.2f} |\n"
                f"| processor | {processor()} |\n"
            ),
            "zh-CN": (
                "| LeNet-5 训练一轮，批量大小 64，动量 SGD，"
                f"{args.threads} 个线程，{args.rounds} 轮中最快的一轮 | 用时（秒） |\n"
                "|---|---:|\n"
                f"| PyTorch {torch.__version__}（CPU） | {torch_seconds:.2f} |\n"
                f"| cnn-core（本书） | {rust_seconds:.2f} |\n"
                f"| 比值 cnn-core / PyTorch | {ratio:.2f} |\n"
                f"| 运行期间的平均负载 | {min(loads):.1f} 到 {busiest:.1f} |\n"
                f"| 最慢一轮是最快一轮的几倍：PyTorch、cnn-core | "
                f"{spreads['PyTorch epochs']:.2f}、{spreads['cnn-core epochs']:.2f} |\n"
                f"| 处理器 | {processor()} |\n"
            ),
        }
        for language, table in rows.items():
            folder = ROOT / "book" / "generated" / ("ch06" if language == "en" else f"{language}/ch06")
            path = folder / name
            temporary = path.with_suffix(".md.tmp")
            temporary.write_text(table)
            temporary.replace(path)  # whole or not at all

if __name__ == "__main__":
    main()
