"""The package as a whole: every module imports on its own, the layers import
only downwards, and `import tfrank` is all `keras.models.load_model` needs."""

import ast
import json
import os
import pkgutil
import subprocess
import sys

import numpy as np

import tfrank

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(tfrank.__path__, "tfrank.")
    if not m.name.endswith("__main__")  # runs the command when imported
)

# Run in a fresh interpreter: third-party packages are loaded once, then each
# tfrank module is imported by a forked child that has imported nothing of
# tfrank (as the `tfrank` command starts: the package loads nothing up front).
IMPORT_EACH = """
import importlib, json, os, sys, traceback
sys.argv = ["tfrank"]
import keras, numpy, pandas, pyarrow, tensorflow, yaml  # noqa: F401
failures = {}
for name in json.loads(sys.argv_modules):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            code = 0
        except BaseException:
            os.write(write, traceback.format_exc()[-1500:].encode())
            code = 1
        os._exit(code)
    os.close(write)
    message = os.read(read, 4000).decode()
    os.close(read)
    if os.waitpid(pid, 0)[1] != 0:
        failures[name] = message
print(json.dumps(failures))
"""


def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    script = IMPORT_EACH.replace("sys.argv_modules", repr(json.dumps(MODULES)))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=900, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-3000:]
    failures = json.loads(result.stdout.strip().splitlines()[-1])
    assert failures == {}, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert len(MODULES) > 80 and "tfrank.training.trainer" in MODULES


def _imports(path):
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def _python_files(*folders):
    for folder in folders:
        for directory, _, files in os.walk(os.path.join(ROOT, folder)):
            yield from (os.path.join(directory, f) for f in files if f.endswith(".py"))


def test_only_the_command_line_and_its_tests_import_it_and_the_package_never_imports_tests():
    # The command line, its tests, and `python -m tfrank`.
    cli = (
        os.path.join(ROOT, "tfrank", "cli"),
        os.path.join(ROOT, "tests", "cli"),
        os.path.join(ROOT, "tfrank", "__main__.py"),
    )
    offenders = []
    for path in _python_files("tfrank", "tests", "benchmarks", "tutorials"):
        for module in _imports(path):
            if module.startswith("tfrank.cli") and not path.startswith(cli):
                offenders.append((os.path.relpath(path, ROOT), module))
            if module.split(".")[0] == "tests" and path.startswith(os.path.join(ROOT, "tfrank")):
                offenders.append((os.path.relpath(path, ROOT), module))
    assert offenders == []


def test_tutorials_use_only_the_public_api():
    for path in _python_files("tutorials"):
        private = [m for m in _imports(path) if m.split(".")[0] == "tests" or "._" in m]
        assert private == [], path


def test_import_keras_and_tfrank_is_enough_to_load_a_trained_model(tmp_path):
    from tfrank.training import train

    out = str(tmp_path / "run")
    train("deepfm", data="synthetic:600", epochs=1, batch_size=200, output=out, verbose=0,
          model_config={"hidden_units": [4]})  # fmt: skip
    with open(os.path.join(out, "example_features.json")) as f:
        example = json.load(f)
    model = tfrank.training.load_model(out)
    expected = model.predict(example, verbose=0).reshape(-1)
    script = (
        "import json, sys\n"
        "import keras, tfrank\n"
        f"model = keras.models.load_model({os.path.join(out, 'model.keras')!r})\n"
        f"example = json.load(open({os.path.join(out, 'example_features.json')!r}))\n"
        "print(type(model).__name__, json.dumps(model.predict(example, verbose=0).tolist()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    name, scores = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert name == "DeepFM"
    np.testing.assert_allclose(np.asarray(json.loads(scores)).reshape(-1), expected, atol=1e-6)
