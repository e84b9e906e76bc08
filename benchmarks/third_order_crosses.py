"""DCN-v2 against DeepFM where third-order crosses dominate the clicks.

Two `SyntheticCTR` settings, each with weak pairwise crosses and strong
third-order ones:

- `categorical`: products g_f(v_f) g_g(v_g) g_h(v_h) of per-value Gaussian
  factors of three categorical fields, degree-3 monomials of the embeddings;
- `dense`: 16 numeric fields and 16 planted products z_a z_b z_c of their
  standardized values (the dense polynomial of the DCN-v2 paper's study).

Two stacked cross layers express either exactly, FM not at all (it stops
at degree two), an MLP only approximately. The models train through
`tfrank train`'s code path on 200,000 rows (10% validation, early
stopping, at most 5 epochs, batch 1024) and are scored on 20,000 fresh
rows, for three seeds.

    python benchmarks/third_order_crosses.py [--setting categorical|dense] [--seeds 0 1 2]

Prints a table and writes benchmarks/results/third_order_crosses[_dense].json.
"""

import argparse
import json
import os
import tempfile

import numpy as np

from tfrank.data import DataSource, SyntheticCTR
from tfrank.metrics import auc
from tfrank.training import evaluate, train

RESULTS = os.path.join(os.path.dirname(__file__), "results")
GENERATORS = {
    "categorical": {
        "num_pairs": 2,
        "cross_strength": 0.3,
        "num_triples": 4,
        "triple_strength": 0.8,
        "triple_values": "gaussian",
    },
    "dense": {
        "num_numeric": 16,
        "num_pairs": 2,
        "cross_strength": 0.3,
        "num_triples": 16,
        "triple_strength": 0.5,
        "triple_inputs": "numeric",
    },
}
VARIANTS = {
    "deepfm": ("deepfm", {}),
    "dcn_v2 (2 cross layers)": ("dcn_v2", {"num_cross_layers": 2}),
    "dcn_v2 (3 cross layers)": ("dcn_v2", {"num_cross_layers": 3}),
    "dcn_v2 (3, low rank 32, 4 experts)": (
        "dcn_v2",
        {"num_cross_layers": 3, "projection_dim": 32, "num_experts": 4},
    ),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--setting", choices=sorted(GENERATORS), default="categorical")
    parser.add_argument(
        "--models", nargs="+", choices=list(VARIANTS),
        help="re-run these only, keeping the saved runs of the others (and the oracle)",
    )  # fmt: skip
    args = parser.parse_args()
    generator_args = GENERATORS[args.setting]
    suffix = "" if args.setting == "categorical" else f"_{args.setting}"
    path = os.path.join(RESULTS, f"third_order_crosses{suffix}.json")
    variants = {k: v for k, v in VARIANTS.items() if not args.models or k in args.models}
    runs = []
    if args.models:
        with open(path) as f:
            runs = [r for r in json.load(f)["runs"] if r["model"] not in variants]
    for seed in args.seeds:
        generator = SyntheticCTR(seed=seed, **generator_args)
        spec = generator.feature_spec()
        data = DataSource(generator.sample(args.rows), spec, group="user_id", name="third-order")
        test = generator.sample(args.rows // 10, seed=seed + 1000, with_probability=True)
        if not args.models:
            runs.append(
                {"seed": seed, "model": "oracle", "auc": auc(test.label, test.true_probability)}
            )
        held_out = DataSource(test, spec, group="user_id", name="third-order fresh rows")
        for label, (model, config) in variants.items():
            with tempfile.TemporaryDirectory() as out:
                metrics = train(
                    model,
                    data=data,
                    epochs=5,
                    seed=seed,
                    output=out,
                    model_config=config,
                    verbose=0,
                )
                scores = evaluate(out, held_out)
            runs.append(
                {"seed": seed, "model": label, **scores, "best_epoch": metrics["best_epoch"]}
            )
            print(f"seed {seed} {label:36s} AUC {scores['auc']:.4f}", flush=True)
    summary = {}
    order = ["oracle", *VARIANTS]
    runs.sort(key=lambda r: (order.index(r["model"]), r["seed"]))
    for label in dict.fromkeys(r["model"] for r in runs):
        aucs = {r["seed"]: r["auc"] for r in runs if r["model"] == label}
        deepfm = {r["seed"]: r["auc"] for r in runs if r["model"] == "deepfm"}
        summary[label] = {
            "auc_mean": float(np.mean(list(aucs.values()))),
            "auc_std": float(np.std(list(aucs.values()))),
            "minus_deepfm_per_seed": [round(aucs[s] - deepfm[s], 4) for s in aucs],
        }
        row = summary[label]
        print(
            f"{label:36s} AUC {row['auc_mean']:.4f} ± {row['auc_std']:.4f}  "
            f"vs deepfm per seed {row['minus_deepfm_per_seed']}"
        )
    os.makedirs(RESULTS, exist_ok=True)
    with open(path, "w") as f:
        json.dump(
            {
                "setting": args.setting,
                "generator": generator_args,
                "rows": args.rows,
                "summary": summary,
                "runs": runs,
            },
            f,
            indent=1,
        )


if __name__ == "__main__":
    main()
