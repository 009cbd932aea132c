"""Learning on the chip, shown: an associative memory stored by one-shot Hebbian learning
(`hopfield`) and features learned by unsupervised STDP on digits (`features`), each priced on the
chip profiles next to the dense network trained or run on a CPU and a GPU, and the brain."""

#: The dense alternative's profiles and the dtype each runs in (as `compare`'s dense rows).
DENSE_DTYPES = {"cpu": "fp32", "gpu-h100": "bf16"}
