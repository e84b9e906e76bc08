"""Multi-task ranking: MMoE and AdaTT on census-income, two tasks at once.

    python tutorials/05_multi_task/multi_task.py [--epochs 10] [--output DIR]

1. Loads UCI census-income (KDD) with the MMoE paper's two tasks, income >
   50K and never married, split 80/10/10.
2. Trains Shared-Bottom, MMoE and AdaTT on both labels (one loss per task,
   weighted), early stopping on the mean validation AUC of the tasks, and
   scores each task's test AUC.
3. Plots how each task's MMoE gate spreads over the shared experts (PNG).
4. Exports AdaTT and scores one request from the SavedModel alone: one
   output per task, named by the task.
"""

import argparse
import os
import tempfile

import keras
import matplotlib
import numpy as np
import tensorflow as tf

from tfrank.data import make_dataset
from tfrank.data.census_income import TASKS, census_income_feature_spec, load_census_income
from tfrank.data.frames import train_validation_test_split
from tfrank.export import export_for_serving
from tfrank.models import AdaTT, MMoE, SharedBottom

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# The public datasets beside the checkout, or where $TFRANK_SHARED_DATA points.
DATA = os.environ.get("TFRANK_SHARED_DATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data"
)


def train_and_score(args):
    # 1. Two labels per row; the rest are features.
    frame = load_census_income(args.data)
    if args.rows:
        frame = frame.sample(args.rows, random_state=0)
    train, valid, test = train_validation_test_split(frame, (0.8, 0.1, 0.1), seed=0)
    spec = census_income_feature_spec().fit(train)
    print(f"census-income: {len(train)} / {len(valid)} / {len(test)} rows; "
          f"positive rates {', '.join(f'{t} {train[t].mean():.3f}' for t in TASKS)}")  # fmt: skip
    train_ds = make_dataset(train, spec, TASKS, batch_size=1024, shuffle=True)
    valid_ds = make_dataset(valid, spec, TASKS, batch_size=4096)

    # 2. Each task a name (its label column) or {name, loss, weight}.
    tasks = [{"name": "income", "weight": 1.0}, {"name": "never_married", "weight": 1.0}]
    models = {
        "Shared-Bottom": SharedBottom(spec, tasks, bottom_units=[128, 64], tower_units=[32]),
        "MMoE": MMoE(spec, tasks, num_experts=8, expert_units=[64], tower_units=[32]),
        "AdaTT": AdaTT(
            spec,
            tasks,
            levels=2,
            task_experts=2,
            shared_experts=1,
            expert_units=[64],
            tower_units=[32],
        ),  # fmt: skip
    }
    for name, model in models.items():
        keras.utils.set_random_seed(0)
        model.compile()
        # MeanTaskMetric writes val_auc, the mean of the tasks' validation AUCs.
        stop = keras.callbacks.EarlyStopping("val_auc", mode="max", patience=2,
                                             restore_best_weights=True)  # fmt: skip
        model.fit(train_ds, validation_data=valid_ds, epochs=args.epochs, verbose=0,
                  callbacks=[*model.training_callbacks(), stop])  # fmt: skip
        result = model.score(test)
        per_task = "  ".join(f"{t} {s['auc']:.4f}" for t, s in result["tasks"].items())
        print(f"{name}: test AUC {per_task}  mean {result['auc']:.4f}")
    return models, spec, test


def plot_gates(mmoe, spec, test, path):
    # 3. The gates: which experts each task reads, averaged over test rows.
    features = {k: tf.constant(v) for k, v in spec.frame_to_arrays(test).items()}
    experts = mmoe.get_layer("experts")
    shared = keras.Model(mmoe.inputs, experts.input)(features)
    _, gates = experts(shared, return_gates=True)
    means = np.stack([np.asarray(g).mean(0) for g in gates])
    fig, ax = plt.subplots(figsize=(7, 3))
    width = 0.4
    for t, task in enumerate(mmoe.task_names):
        ax.bar(np.arange(means.shape[1]) + (t - 0.5) * width, means[t], width, label=task)
    ax.set_xlabel("expert")
    ax.set_ylabel("mean gate weight")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    rows = "; ".join(f"{t}: " + " ".join(f"{w:.2f}" for w in m)
                     for t, m in zip(mmoe.task_names, means))  # fmt: skip
    print(f"wrote {path}: mean gate weights {rows}")


def serve(adatt, spec, test, output):
    # 4. One SavedModel, one output per task.
    example = {k: v[:4] for k, v in spec.frame_to_arrays(test).items()}
    version = export_for_serving(adatt, os.path.join(output, "adatt"), example)
    request = {k: tf.constant(v) for k, v in example.items()}
    served = tf.saved_model.load(version).signatures["serving_default"](**request)
    keras_out = adatt(request)
    for task in adatt.task_names:
        print(f"served {task}: {np.round(served[task].numpy()[:, 0], 4)} "
              f"(keras {np.round(keras_out[task].numpy()[:, 0], 4)})")  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rows", type=int, help="a random subset of N rows (a quick run)")
    parser.add_argument(
        "--data", default=os.path.join(DATA, "census_income_kdd", "census-income.test.gz")
    )
    parser.add_argument("--output", default=tempfile.mkdtemp(prefix="tfrank-mt-"))
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    models, spec, test = train_and_score(args)
    plot_gates(models["MMoE"], spec, test, os.path.join(args.output, "mmoe_gates.png"))
    serve(models["AdaTT"], spec, test, args.output)


if __name__ == "__main__":
    main()
