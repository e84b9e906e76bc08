"""Scores REST request bodies with exported SavedModels, using TensorFlow only.

Run as a script (never imported by tfrank): it blocks `keras` and `tfrank`
imports before importing TensorFlow, so it proves that an export runs
without any of our Python code, as in TF Serving.

    python serve_requests.py OUT.json SAVED_MODEL_DIR REQUEST.json [DIR REQUEST ...]

Writes `{SAVED_MODEL_DIR: {output_name: nested list}}` to OUT.json.
"""

import importlib.abc
import importlib.machinery
import json
import sys

_BLOCKED = ("keras", "tf_keras", "tfrank")


class _BlockImports(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Any import of a blocked package fails; a mere lookup (TensorFlow probes
    for keras at import time) finds a spec without a location."""

    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in _BLOCKED:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        raise ImportError(f"'{spec.name}' is blocked: this process runs on TensorFlow alone")

    def exec_module(self, module):
        raise ImportError(f"'{module.__name__}' is blocked")


def block_imports():
    """From now on, importing keras, tf_keras or tfrank fails (call before
    TensorFlow is imported; other TensorFlow-only scripts load this file by
    path to do the same)."""
    sys.meta_path.insert(0, _BlockImports())


def main(argv):
    block_imports()
    import numpy as np
    import tensorflow as tf

    out_path, pairs = argv[0], argv[1:]
    results = {}
    for model_dir, request_path in zip(pairs[::2], pairs[1::2]):
        with open(request_path) as f:
            request = json.load(f)
        loaded = tf.saved_model.load(model_dir)
        signature = loaded.signatures[request.get("signature_name", "serving_default")]
        specs = signature.structured_input_signature[1]
        inputs = {
            name: tf.constant(np.asarray(values), dtype=specs[name].dtype)
            for name, values in request["inputs"].items()
        }
        outputs = signature(**inputs)
        results[model_dir] = {k: v.numpy().tolist() for k, v in outputs.items()}
    loaded_modules = sorted(m for m in sys.modules if m.split(".")[0] in _BLOCKED)
    results["__blocked_modules_loaded__"] = loaded_modules
    with open(out_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1:])
