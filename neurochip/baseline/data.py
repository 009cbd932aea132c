"""Data for the dense baseline: real digits that need no download, plus user-supplied MNIST."""
from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..errors import ModelFileError


@dataclass(frozen=True)
class Dataset:
    """Features scaled to [0, 1] (float32, samples x features) and integer labels."""

    name: str
    x_train: NDArray[np.float32]
    y_train: NDArray[np.int64]
    x_test: NDArray[np.float32]
    y_test: NDArray[np.int64]

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max()) + 1)


def _split(name: str, x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int) -> Dataset:
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(test_fraction * len(x)))
    test, train = order[:n_test], order[n_test:]
    return Dataset(name, x[train], y[train], x[test], y[test])


def digits(test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn's 1,797 real 8x8 handwritten digits (UCI), a fixed seeded 80/20 split."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return _split("digits", (data.data / 16.0).astype(np.float32), data.target.astype(np.int64), test_fraction, seed)


def mnist1d(seed: int = 0) -> Dataset:
    """The procedural MNIST-1D set (optional `mnist1d` package), its own train/test split."""
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as exc:
        raise ModelFileError("mnist1d: the package is not installed (pip install mnist1d)") from exc
    args = get_dataset_args()
    args.seed = seed
    d = make_dataset(args)

    def scale(x):
        x = np.asarray(x, np.float32)
        return (x - x.min()) / (x.max() - x.min())

    return Dataset("mnist1d", scale(d["x"]), np.asarray(d["y"], np.int64), scale(d["x_test"]), np.asarray(d["y_test"], np.int64))


def _idx(path: Path) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        _, dtype_code, ndim = struct.unpack(">HBB", f.read(4))
        shape = struct.unpack(">" + "I" * ndim, f.read(4 * ndim))
        if dtype_code != 0x08:
            raise ModelFileError(f"{path}: expected unsigned-byte IDX data (type 0x08), found type {dtype_code:#x}")
        return np.frombuffer(f.read(), np.uint8).reshape(shape)


def mnist(path: str | Path) -> Dataset:
    """MNIST from a local `.npz` (x_train, y_train, x_test, y_test) or a folder of the four IDX files
    (optionally gzipped). Nothing is downloaded."""
    path = Path(path)
    if path.suffix == ".npz":
        with np.load(path) as d:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(d.files)
            if missing:
                raise ModelFileError(f"{path}: expected arrays x_train, y_train, x_test, y_test; missing {sorted(missing)}")
            arrays = [d[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    else:
        names = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
        found = [next((p for p in (path / n, path / f"{n}.gz") if p.exists()), None) for n in names]
        if None in found:
            raise ModelFileError(f"{path}: expected the four MNIST IDX files {names} (optionally .gz)")
        arrays = [_idx(p) for p in found]
    xs = [a.reshape(len(a), -1).astype(np.float32) / 255.0 for a in arrays[0::2]]
    return Dataset("mnist", xs[0], arrays[1].astype(np.int64), xs[1], arrays[3].astype(np.int64))
