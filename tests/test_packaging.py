"""The kernels ship inside the package: from the editable install and from a built wheel."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_editable_install_maps_kernels_directory():
    import neurochip.kernels
    assert Path(neurochip.kernels.__file__).resolve().parent == ROOT / "kernels"


def test_built_wheel_contains_and_imports_kernels(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True)
    wheel = next((tmp_path / "dist").glob("neurochip-*.whl"))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True)
    code = ("import neurochip, neurochip.kernels, neurochip.profiles, neurochip.energy, neurochip.mapping, "
            "neurochip.baseline, neurochip.interop.lava, neurochip.cli; "
            "from neurochip.baseline.crossover import MEASURED_H100; "
            "print(neurochip.kernels.__file__); print(neurochip.profiles.__file__); print(neurochip.energy.__file__); "
            "print(MEASURED_H100 if MEASURED_H100.exists() else 'missing'); "
            "print(neurochip.profiles.load_profile('loihi').name and neurochip.profiles.__file__)")
    out = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
                         check=True, capture_output=True, text=True, cwd=tmp_path).stdout.split()
    assert all(line.startswith(str(site)) for line in out), out
