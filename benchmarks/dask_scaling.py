"""``python -m benchmarks.dask_scaling``: a validation loss over an on-disk dataset with Dask.

Writes logits and labels as ``.npy`` files, opens them as memory maps, wraps them in chunked Dask
arrays and evaluates ``sparse_categorical_crossentropy`` on a ``dask.distributed`` LocalCluster
with 1, 2, ... worker processes, printing the time per evaluation and the speed-up.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def _read(path: str, start: int, stop: int) -> np.ndarray:
    return np.array(np.load(path, mmap_mode="r")[start:stop])


def on_disk(path: str, chunk: int) -> object:
    """A Dask array whose tasks read their rows from the ``.npy`` file: the graph holds only the
    path and offsets (``da.from_array`` on a memory map would ship the data inside the graph)."""
    import dask
    import dask.array as da

    head = np.load(path, mmap_mode="r")
    blocks = [
        da.from_delayed(dask.delayed(_read)(path, i, min(i + chunk, head.shape[0])),
                        shape=(min(i + chunk, head.shape[0]) - i, *head.shape[1:]), dtype=head.dtype)
        for i in range(0, head.shape[0], chunk)
    ]
    return da.concatenate(blocks, axis=0)


def main() -> None:
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    import unilosses as ul

    parser = argparse.ArgumentParser(prog="python -m benchmarks.dask_scaling")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--classes", type=int, default=100)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(0)
        logits_path, labels_path = os.path.join(tmp, "logits.npy"), os.path.join(tmp, "labels.npy")
        logits = np.lib.format.open_memmap(logits_path, mode="w+", dtype=np.float32, shape=(args.rows, args.classes))
        for start in range(0, args.rows, args.chunk):  # written block by block, never whole in memory
            stop = min(start + args.chunk, args.rows)
            logits[start:stop] = rng.standard_normal((stop - start, args.classes), dtype=np.float32)
        logits.flush()
        del logits
        np.save(labels_path, rng.integers(0, args.classes, size=args.rows))

        x, y = on_disk(logits_path, args.chunk), on_disk(labels_path, args.chunk)
        loss = ul.sparse_categorical_crossentropy(x, y, from_logits=True)  # a lazy graph
        print(f"{args.rows} x {args.classes} float32 logits on disk ({x.nbytes / 1e6:.0f} MB), chunks of {args.chunk} rows")
        print("| workers | seconds | speed-up | loss |")
        print("|---:|---:|---:|---:|")
        base = None
        for n in args.workers:
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, Client(cluster):
                loss.compute()  # warm-up: worker imports
                t0 = time.perf_counter()
                value = float(loss.compute())
                seconds = time.perf_counter() - t0
            base = base or seconds
            print(f"| {n} | {seconds:.2f} | {base / seconds:.2f}x | {value:.6f} |")


if __name__ == "__main__":
    main()
