"""Scores REST request bodies with exported SavedModels, using TensorFlow only.

Run as a script (never imported by tfrank): it blocks `keras` and `tfrank`
imports before importing TensorFlow, so it proves that an export runs
without any of our Python code, as in TF Serving.

    python serve_requests.py OUT.json SAVED_MODEL_DIR REQUEST.json [DIR REQUEST ...]

Writes `{SAVED_MODEL_DIR: {output_name: nested list}}` to OUT.json.

    python serve_requests.py --stdin

serves like a model server: one JSON request per input line,
`{"model_dir": DIR, "inputs": {name: values}}`, answered by one line,
`{"outputs": {name: nested list}}` or, for a request the signature rejects,
`{"rejected": message}`. The process outlives bad requests; any crash shows
as a closed pipe to the caller.
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


def _serve_stdin():
    import numpy as np
    import tensorflow as tf

    signatures = {}
    for line in sys.stdin:
        request = json.loads(line)
        model_dir = request["model_dir"]
        if model_dir not in signatures:
            loaded = tf.saved_model.load(model_dir)
            signatures[model_dir] = (loaded, loaded.signatures["serving_default"])
        signature = signatures[model_dir][1]
        specs = signature.structured_input_signature[1]
        try:
            inputs = {
                name: tf.constant(np.asarray(values), dtype=specs[name].dtype)
                if name in specs
                else tf.constant(values)
                for name, values in request["inputs"].items()
            }
            # Like a model server: the signature itself checks the request.
            outputs = signature(**inputs)
            reply = {"outputs": {k: v.numpy().tolist() for k, v in outputs.items()}}
        except (TypeError, ValueError, tf.errors.InvalidArgumentError) as error:
            reply = {"rejected": f"{type(error).__name__}: {str(error)[:500]}"}
        blocked = sorted(m for m in sys.modules if m.split(".")[0] in _BLOCKED)
        reply["blocked_modules_loaded"] = blocked
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main(argv):
    block_imports()
    if argv[:1] == ["--stdin"]:
        return _serve_stdin()
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
