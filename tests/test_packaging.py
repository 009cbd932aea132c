"""Packaging: the kernels and profiles ship inside the package (editable install and built wheel),
every subpackage is in the wheel, no measurement script is an importable module, one version."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_editable_install_maps_kernels_directory():
    import neurochip.kernels
    assert Path(neurochip.kernels.__file__).resolve().parent == ROOT / "kernels"


def test_one_version():
    import neurochip

    declared = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert neurochip.__version__ == declared


def source_packages() -> list[str]:
    """Every package of the source tree, as the wheel must hold it."""
    packages = ["neurochip.kernels", "neurochip.profiles"]
    for init in sorted((ROOT / "neurochip").rglob("__init__.py")):
        packages.append(".".join(init.parent.relative_to(ROOT).parts))
    return packages


@pytest.mark.slow
def test_built_wheel_holds_every_package_and_no_scripts(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("neurochip-*.whl"))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True)
    assert (site / "neurochip" / "py.typed").exists()
    assert list((site / "neurochip" / "profiles").glob("*.py"))  # the loader and the schema
    assert not list((site / "neurochip" / "profiles" / "measurements").glob("*.py"))
    code = ("import importlib, sys; "
            f"mods = [importlib.import_module(m) for m in {source_packages()!r}]; "
            "import neurochip.cli, neurochip.interop.lava; "
            "from neurochip.baseline.crossover import MEASURED_H100; "
            "print(*[m.__file__ for m in mods], sep='\\n'); print(MEASURED_H100 if MEASURED_H100.exists() else 'missing'); "
            "print(neurochip.profiles.__file__ if neurochip.profiles.load_profile('loihi').name else '')")
    out = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
                         check=True, capture_output=True, text=True, cwd=tmp_path).stdout.split()
    assert all(line.startswith(str(site)) for line in out), out
