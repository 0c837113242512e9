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
side's epoch and not the other's. So the two sides take turns, `--rounds` times (PyTorch,
cnn-core, PyTorch, cnn-core, ...), every epoch time is printed, and the ratio is taken between
each side's fastest epoch, the one least disturbed by other work.
"""

import argparse
import gzip
import pathlib
import re
import subprocess
import time

import numpy as np
import torch
from torch import nn

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
    parser.add_argument("--rounds", type=int, default=3,
                        help="epochs timed on each side, taking turns (the fastest counts)")
    parser.add_argument("--write", action="store_true",
                        help="also write the result to book/generated/ch06/pytorch_comparison.md")
    args = parser.parse_args()
    torch_times, rust_times = [], []
    for round_number in range(1, args.rounds + 1):
        torch_times.append(pytorch_epoch(args.threads, args.batch_size, args.learning_rate))
        rust_times.append(rust_epoch(args.threads, args.batch_size, args.learning_rate))
        print(f"round {round_number}: PyTorch {torch_times[-1]:.1f} s, cnn-core {rust_times[-1]:.1f} s",
              flush=True)
    torch_seconds, rust_seconds = min(torch_times), min(rust_times)
    print(f"threads {args.threads}, batch {args.batch_size}, one epoch of 60,000 images (training only), "
          f"fastest of {args.rounds} rounds")
    print(f"PyTorch {torch.__version__}: {torch_seconds:.1f} s")
    print(f"cnn-core:        {rust_seconds:.1f} s")
    print(f"ratio (cnn-core / PyTorch): {rust_seconds / torch_seconds:.2f}")
    if args.write:
        table = (
            "| one epoch of LeNet-5, batch 64, SGD with momentum, "
            f"{args.threads} threads, fastest of {args.rounds} | seconds |\n"
            "|---|---:|\n"
            f"| PyTorch {torch.__version__} (CPU) | {torch_seconds:.1f} |\n"
            f"| cnn-core (this book) | {rust_seconds:.1f} |\n"
            f"| ratio cnn-core / PyTorch | {rust_seconds / torch_seconds:.2f} |\n"
        )
        (ROOT / "book" / "generated" / "ch06" / "pytorch_comparison.md").write_text(table)


if __name__ == "__main__":
    main()
