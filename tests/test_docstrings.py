"""Every docstring example in tfrank runs, as a doctest, and shows what it says."""

import doctest
import importlib
import inspect
import os
import pkgutil

import pytest

import tfrank


def _modules_with_examples():
    names = []
    for info in pkgutil.walk_packages(tfrank.__path__, "tfrank."):
        if info.name.endswith("__main__"):
            continue
        spec = importlib.util.find_spec(info.name)
        with open(spec.origin) as f:
            if ">>>" in f.read():
                names.append(info.name)
    return sorted(names)


MODULES = _modules_with_examples()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=flags)
    tests = [t for t in finder.find(module, name) if t.examples]
    assert tests, f"{name} has '>>>' but no example doctest finds"
    report = []
    for test in tests:
        runner.run(test, out=report.append)
    source = inspect.getsourcefile(module)
    failed = runner.summarize(verbose=False).failed
    assert failed == 0, f"{os.path.relpath(source)}:\n" + "".join(report)


def test_every_public_model_and_layer_shows_an_example():
    missing = []
    for package in (tfrank.models, tfrank.layers):
        for name in package.__all__:
            obj = getattr(package, name)
            if inspect.isclass(obj) and ">>>" not in (obj.__doc__ or ""):
                missing.append(name)
    assert missing == [], f"classes without a docstring example: {missing}"
