"""Measure dense-MLP inference energy on this machine's GPU and save it as a measurement file.

Run on a machine with an NVIDIA GPU (``pip install neurochip[gpu]``):

    python bench/measure_gpu_energy.py OUT.json [784,512,512,10]

It calls `neurochip.baseline.measure_gpu` (PyTorch inference loop after warm-up, NVML's
total-energy counter over at least 5 s per point, idle board power measured first and reported
apart) for fp32 and bf16 at batch 1, 64, 1,024 and 16,384, and writes the runs with machine,
device, driver and method (`save_measurement`). `profiles/measurements/` keeps such files;
profiles and reports cite them as measured.
"""
import sys

from neurochip.baseline import measure_gpu, save_measurement

if __name__ == "__main__":
    sizes = tuple(int(n) for n in (sys.argv[2] if len(sys.argv) > 2 else "784,512,512,10").split(","))
    print(save_measurement(measure_gpu(sizes), sys.argv[1]))
