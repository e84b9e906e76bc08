"""Times an exported SavedModel's `serving_default`, on TensorFlow alone.

Started by `serving_latency.py`; `keras` and `tfrank` imports are blocked
before TensorFlow loads, as in TF Serving, where none of our Python runs.

    python serving_worker.py SAVED_MODEL_DIR REQUESTS.npz SECONDS_PER_BATCH_SIZE
"""

import importlib.util
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _block_imports():
    path = os.path.join(HERE, os.pardir, "tfrank", "export", "serve_requests.py")
    spec = importlib.util.spec_from_file_location("serve_requests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.block_imports()


def main(model_dir, requests_path, seconds):
    _block_imports()
    import numpy as np
    import tensorflow as tf

    signature = tf.saved_model.load(model_dir).signatures["serving_default"]
    specs = signature.structured_input_signature[1]
    requests = np.load(requests_path)
    sizes = sorted({int(key.split("/")[0]) for key in requests.files})
    results = {}
    for size in sizes:
        inputs = {
            name: tf.constant(requests[f"{size}/{name}"], dtype=specs[name].dtype) for name in specs
        }
        for _ in range(10):  # warm-up: the first calls build kernels and caches
            signature(**inputs)
        latencies, start = [], time.perf_counter()
        while time.perf_counter() - start < seconds or len(latencies) < 50:
            begin = time.perf_counter()
            outputs = signature(**inputs)
            next(iter(outputs.values())).numpy()
            latencies.append(time.perf_counter() - begin)
        latencies = np.asarray(latencies) * 1000
        results[size] = {
            "calls": len(latencies),
            "p50_ms": float(np.percentile(latencies, 50)),
            "p99_ms": float(np.percentile(latencies, 99)),
            "rows_per_second": float(size * len(latencies) / (latencies.sum() / 1000)),
        }
    blocked = sorted(m for m in sys.modules if m.split(".")[0] in ("keras", "tfrank"))
    print(json.dumps({"results": results, "blocked_modules_loaded": blocked}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
