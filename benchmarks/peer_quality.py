"""tfrank beside its peer, DeepCTR 0.9.3, on identical rows and budgets.

Three settings, each model trained by both libraries on the same rows with
the same hyper-parameters (`MODELS`), batch size, learning rate (Adam for
every model of both), most epochs and early stopping on validation AUC
(same patience, best epoch's weights kept), seeds 0-2; scored on the same
test rows by the same metric code (`tfrank.metrics`):

- `frappe`: Frappe merged and split 80/10/10 as in frappe.py; LR, FM, W&D,
  DeepFM, DCN, DCN-Mix, IPNN, NFM, AFM (at most 5 epochs, patience 1).
- `beauty`: Amazon Beauty behaviour samples as in behaviour_amazon.py
  (`--beauty-users N`: a fixed random sample of N users, default 3,000,
  about 36k training rows; at most 3 epochs); the pooled-history base, DIN,
  DIEN. On 2 shared cores one seed of the three models in both libraries
  took 7.5 minutes, so the setting takes about 20 minutes with 3 seeds.
- `census`: census-income split 80/10/10 (seed 0) as in multi_task.py, tasks
  income and never married; MMoE, PLE (test AUC per task and their mean; at
  most 10 epochs).

tfrank fits its `FeatureSpec` on the training rows; the peer gets the ids
and normalised numerics that spec makes (`peer_quality_data.py`) and runs
in its own Python (`peer_quality_worker.py`). Each (library, model, seed)
is its own process. Runs are merged into `--output`.json (a run replaces
the one of the same setting, library, model and seed) and the table is
rewritten to `--output`.md after every run.

    python benchmarks/peer_quality.py --peer-python /path/to/deepctr-venv/bin/python \\
        [--settings frappe beauty census] [--models ...] [--seeds 0 1 2]

DeepCTR's environment: TensorFlow and tf-keras of the same version, then
`pip install --no-deps deepctr==0.9.3` (its pins do not resolve), scikit-learn.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from common import shared_data_path
from peer_quality_data import prepare, test_labels
from peer_quality_results import add_run, markdown, read_record, scores, write_record

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results", "peer_quality")

# Training budget of each setting: the batch and learning rate of its own
# benchmark script, fewer epochs (what two shared cores allow for 2 x 3 runs
# of each model), the same for both libraries.
BUDGET = {
    "frappe": dict(embedding_dim=16, batch_size=1024, learning_rate=5e-3, patience=1, epochs=5),
    "beauty": dict(embedding_dim=16, batch_size=256, learning_rate=1e-3, patience=1, epochs=3),
    "census": dict(embedding_dim=8, batch_size=1024, learning_rate=1e-3, patience=2, epochs=10),
}
# The one table of hyper-parameters; `tfrank_call` and `deepctr_call` map
# each entry to the two libraries' arguments. L2 is off on both sides but
# where listed (DeepCTR's small default L2 terms are set to 0).
# fmt: off
MLP = [256, 128]  # one width for every deep part: the 2-core budget, not a tuned choice
DIN = {"attention_units": [80, 40], "attention_activation": "dice", "hidden_units": [200, 80],
       "activation": "dice"}
MODELS = {
    "frappe": {
        "lr": {},
        "fm": {},
        "wdl": {"hidden_units": MLP, "dropout": 0.2},
        "deepfm": {"hidden_units": MLP, "dropout": 0.2, "embedding_l2": 1e-4},
        "dcn": {"cross_layers": 3, "hidden_units": MLP, "dropout": 0.2},
        "dcn_mix": {"cross_layers": 3, "low_rank": 32, "experts": 4, "hidden_units": MLP,
                    "dropout": 0.2},
        "ipnn": {"product_units": 128, "hidden_units": MLP, "dropout": 0.2},
        "nfm": {"hidden_units": [16], "dropout": 0.2},  # the paper's: one layer, k units
        "afm": {"attention_units": 16, "dropout": 0.0},
    },
    "beauty": {
        "seq_base": {"hidden_units": [200, 80], "activation": "prelu"},
        "din": DIN,
        "dien": {**DIN, "auxiliary_weight": 1.0},
    },
    "census": {
        "mmoe": {"experts": 8, "expert_units": [64], "tower_units": [32]},
        "ple": {"levels": 2, "task_experts": 2, "shared_experts": 2, "expert_units": [64],
                "tower_units": [32]},
    },
}
# fmt: on


def tfrank_call(setting, model):
    """`(registered model name, model_config)` of `MODELS[setting][model]`."""
    s = MODELS[setting][model]
    mlp = {"hidden_units": s.get("hidden_units"), "dropout": s.get("dropout", 0.0)}
    behaviour = {"hidden_units": s.get("hidden_units"), "activation": s.get("activation"),
                 "attention_units": s.get("attention_units"),
                 "attention_activation": s.get("attention_activation")}  # fmt: skip
    calls = {
        "lr": lambda: ("logistic_regression", {}),
        "fm": lambda: ("fm", {}),
        # Wide & Deep's own FTRL + AdaGrad pair would differ from the peer's Adam.
        "wdl": lambda: ("wide_and_deep_adam", mlp),
        "deepfm": lambda: ("deepfm", {**mlp, "embedding_l2": s["embedding_l2"]}),
        "dcn": lambda: ("dcn", {**mlp, "num_cross_layers": s["cross_layers"]}),
        "dcn_mix": lambda: ("dcn_v2", {**mlp, "structure": "parallel",
                                       "num_cross_layers": s["cross_layers"],
                                       "projection_dim": s["low_rank"],
                                       "num_experts": s["experts"],
                                       "expert_form": "dcn_mix"}),  # fmt: skip
        "ipnn": lambda: ("pnn", {**mlp, "product": "inner", "product_units": s["product_units"]}),
        # DeepCTR's NFM has no batch normalization.
        "nfm": lambda: ("nfm", {**mlp, "batch_norm": False}),
        "afm": lambda: ("afm", {"attention_units": s["attention_units"], "dropout": s["dropout"]}),
        "seq_base": lambda: ("seq_base", {"hidden_units": s["hidden_units"],
                                          "activation": s["activation"], "pooling": "mean"}),
        "din": lambda: ("din", {**behaviour, "normalize_attention": False}),
        # tfrank's default DIEN (its attention units act only with attention="mlp",
        # the form of DeepCTR's DIEN).
        "dien": lambda: ("dien", {**behaviour, "auxiliary_weight": s["auxiliary_weight"]}),
        "mmoe": lambda: ("mmoe", {"num_experts": s["experts"], "expert_units": s["expert_units"],
                                  "tower_units": s["tower_units"]}),
        "ple": lambda: ("ple", {k: s[k] for k in ("levels", "task_experts", "shared_experts",
                                                  "expert_units", "tower_units")}),
    }  # fmt: skip
    return calls[model]()


def deepctr_call(setting, model):
    """`{"model": DeepCTR function, "kwargs": its arguments, "layout": which
    columns feed it}` of `MODELS[setting][model]`. Layout: `linear` (the
    first-order part reads every feature), `deep: "zero"` (the deep part
    reads one constant 0, so it adds nothing), `deep_only` (one column list),
    `history` (`"pool"`: mean-pooled, `"attention"`: DIN's,
    `"evolution"`: DIEN's, with negative behaviours), `tasks`."""
    s = MODELS[setting][model]
    dnn = {"dnn_hidden_units": s.get("hidden_units"), "dnn_dropout": s.get("dropout", 0.0)}
    off = {"l2_reg_linear": 0.0, "l2_reg_embedding": s.get("embedding_l2", 0.0)}
    cross = {"cross_num": s.get("cross_layers"), "l2_reg_cross": 0.0}
    attention = {
        "dnn_hidden_units": s.get("hidden_units"),
        "dnn_activation": s.get("activation"),
        "att_activation": s.get("attention_activation"),
        "l2_reg_embedding": 0.0,
    }
    calls = {
        # WDL with its deep part fed a constant 0: exactly logistic regression.
        "lr": lambda: ("WDL", {"linear": True, "deep": "zero"}, {**off, "dnn_hidden_units": ()}),
        # No FM model in 0.9.3: DeepFM without hidden layers adds one more
        # linear term over the embeddings, so it stays an FM.
        "fm": lambda: ("DeepFM", {"linear": True}, {**off, "dnn_hidden_units": ()}),
        "wdl": lambda: ("WDL", {"linear": True}, {**off, **dnn}),
        "deepfm": lambda: ("DeepFM", {"linear": True}, {**off, **dnn}),
        "dcn": lambda: ("DCN", {}, {**off, **dnn, **cross, "cross_parameterization": "vector"}),
        "dcn_mix": lambda: ("DCNMix", {}, {**off, **dnn, **cross, "low_rank": s["low_rank"],
                                           "num_experts": s["experts"]}),
        # IPNN's product layer is the first layer of DeepCTR's DNN.
        "ipnn": lambda: ("PNN", {"deep_only": True}, {
            "l2_reg_embedding": 0.0, "dnn_dropout": s["dropout"], "use_inner": True,
            "use_outter": False, "dnn_hidden_units": [s["product_units"], *s["hidden_units"]]}),
        "nfm": lambda: ("NFM", {"linear": True}, {**off, **dnn, "bi_dropout": s["dropout"]}),
        "afm": lambda: ("AFM", {"linear": True}, {**off, "attention_factor": s["attention_units"],
                                                  "afm_dropout": s["dropout"], "l2_reg_att": 0.0}),
        # A DNN over the embeddings and the mean-pooled history: WDL, no linear part.
        "seq_base": lambda: ("WDL", {"history": "pool"}, {
            **off, "dnn_hidden_units": s["hidden_units"], "dnn_activation": s["activation"]}),
        "din": lambda: ("DIN", {"history": "attention"}, {
            **attention, "att_hidden_size": s["attention_units"],
            "att_weight_normalization": False}),
        "dien": lambda: ("DIEN", {"history": "evolution"}, {
            **attention, "att_hidden_units": s["attention_units"], "gru_type": "AUGRU",
            "use_negsampling": True, "alpha": s["auxiliary_weight"],
            "att_weight_normalization": True}),
        "mmoe": lambda: ("MMOE", {"tasks": True}, {
            "num_experts": s["experts"], "expert_dnn_hidden_units": s["expert_units"],
            "tower_dnn_hidden_units": s["tower_units"], "l2_reg_embedding": 0.0}),
        "ple": lambda: ("PLE", {"tasks": True}, {
            "num_levels": s["levels"], "specific_expert_num": s["task_experts"],
            "shared_expert_num": s["shared_experts"], "l2_reg_embedding": 0.0,
            "expert_dnn_hidden_units": s["expert_units"],
            "tower_dnn_hidden_units": s["tower_units"]}),
    }  # fmt: skip
    name, layout, kwargs = calls[model]()
    return {"model": name, "layout": layout, "kwargs": kwargs}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--models", nargs="+", help="default: every model of each setting")
    parser.add_argument("--libraries", nargs="+", choices=["tfrank", "deepctr"],
                        default=["tfrank", "deepctr"])  # fmt: skip
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, help="most epochs, every setting (default: BUDGET)")
    parser.add_argument("--peer-python", help="the Python of DeepCTR's environment")
    parser.add_argument("--beauty-users", type=int, default=3000, help="0: every user")
    parser.add_argument("--frappe", default=shared_data_path("frappe"))
    parser.add_argument("--amazon", default=shared_data_path("amazon_s3rec"))
    parser.add_argument("--census", default=shared_data_path("census_income_kdd",
                                                             "census-income.test.gz"))  # fmt: skip
    parser.add_argument("--output", default=RESULTS, help="path of the .json/.md, no suffix")
    args = parser.parse_args()
    if "deepctr" in args.libraries and not args.peer_python:
        parser.error("--peer-python is needed for the DeepCTR runs (or --libraries tfrank)")
    record = read_record(args.output)
    failed = []
    for setting in args.settings:
        models = [m for m in (args.models or MODELS[setting]) if m in MODELS[setting]]
        if not models:
            continue
        with tempfile.TemporaryDirectory() as folder:
            meta = prepare(setting, args, folder, BUDGET[setting]["embedding_dim"])
            if meta is None:
                print(f"{setting}: data not found; skipped.", flush=True)
                continue
            print(f"{setting}: rows {meta['rows']}", flush=True)
            record["settings"][setting] = {
                **BUDGET[setting],
                "rows": meta["rows"],
                "epochs": args.epochs or BUDGET[setting]["epochs"],
            }
            if setting == "beauty":
                record["settings"][setting]["users"] = args.beauty_users or "all"
            truth = test_labels(folder, meta)
            for model in models:
                for seed in args.seeds:
                    for library in args.libraries:
                        run = _run(setting, model, seed, library, folder, truth, args, record)
                        if run is None:
                            failed.append((setting, model, seed, library))
                            continue
                        add_run(record, run)
                        _write(args.output, record)
    print(markdown(record))
    for what in failed:
        print("failed:", *what)
    return 1 if failed else 0


def _run(setting, model, seed, library, folder, truth, args, record):
    budget = BUDGET[setting]
    out = os.path.join(folder, f"{library}-{model}-{seed}.npy")
    common = {k: budget[k] for k in ("batch_size", "learning_rate", "patience")}
    common.update(data=folder, seed=seed, epochs=args.epochs or budget["epochs"], out=out)
    if library == "tfrank":
        name, config = tfrank_call(setting, model)
        job = {**common, "model": name, "config": config}
        command = [sys.executable, os.path.join(HERE, "peer_quality_tfrank.py"), json.dumps(job)]
    else:
        job = {**common, **deepctr_call(setting, model)}
        command = [args.peer_python, os.path.join(HERE, "peer_quality_worker.py"), json.dumps(job)]
    start = time.perf_counter()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        print(f"{setting} {model} seed {seed} {library}: failed\n{done.stderr[-3000:]}", flush=True)
        return None
    info = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("versions", "peer_versions"):
        if key in info:
            record[key] = info.pop(key)
    run = {"setting": setting, "library": library, "model": model, "seed": seed,
           **scores(*truth, np.load(out)), **info, "max_epochs": common["epochs"],
           "train_rows": record["settings"][setting]["rows"]["train"],
           "wall_seconds": round(wall, 1)}  # fmt: skip
    epochs = f"{run['best_epoch']}/{run['epochs_run']}"
    print(f"{setting:7s} {model:9s} seed {seed} {library:8s} test AUC {run['auc']:.4f}  "
          f"best epoch {epochs}  {wall:.0f}s", flush=True)  # fmt: skip
    return run


def _write(path, record):
    record["cpu_count"] = os.cpu_count()
    record["budget"] = BUDGET
    record["models"] = {
        setting: {m: {"shared": s, "tfrank": tfrank_call(setting, m),
                      "deepctr": deepctr_call(setting, m)} for m, s in models.items()}
        for setting, models in MODELS.items()
    }  # fmt: skip
    write_record(path, record)


if __name__ == "__main__":
    sys.exit(main())
