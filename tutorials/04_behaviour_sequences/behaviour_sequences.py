"""Behaviour sequences: DIN on Amazon Beauty, its attention over a real user's
history, and serving histories of any length.

    python tutorials/04_behaviour_sequences/behaviour_sequences.py [--epochs 3]

1. Turns S3-Rec's Amazon Beauty sequences into behaviour samples (history,
   candidate, label; each user's last click is the test target).
2. Trains the base model (mean-pooled history) and DIN (attention over the
   history, Dice), scores test AUC and GAUC.
3. Plots DIN's attention weights over one user's history for the item they
   clicked next and for a sampled item they did not (PNG).
4. Exports DIN and scores one request whose histories have different
   lengths, one of them empty, from the SavedModel alone.
"""

import argparse
import os
import tempfile

import keras
import matplotlib
import numpy as np
import tensorflow as tf

from tfrank.data import behaviour_feature_spec, build_samples, load_amazon_s3rec, make_dataset
from tfrank.export import export_for_serving
from tfrank.models import DIN, SeqBase

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# The public datasets beside the checkout, or where $TFRANK_SHARED_DATA points.
DATA = os.environ.get("TFRANK_SHARED_DATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data"
)


def train_and_score(args):
    # 1. Samples: every click after a user's first, with one never-clicked negative.
    events = load_amazon_s3rec(args.data_dir, "Beauty")
    if args.users:
        events = events[events.user_id <= args.users]
    train, test = build_samples(events, max_history=50, negatives=1, seed=0)
    spec = behaviour_feature_spec(max_length=50).fit(train)
    print(f"Beauty: {len(train)} training rows, {len(test)} test rows")
    train_ds = make_dataset(train, spec, batch_size=256, shuffle=True)

    # 2. The base model and DIN on the same embeddings.
    models = {}
    for name, model in (("base", SeqBase(spec)), ("DIN", DIN(spec))):
        keras.utils.set_random_seed(0)
        model.compile()
        model.fit(train_ds, epochs=args.epochs, verbose=2)
        metrics = model.score(test, group="user_id")
        print(f"{name}: test AUC {metrics['auc']:.4f}  GAUC {metrics['gauc']:.4f}")
        models[name] = model
    return models["DIN"], spec, test


def plot_attention(din, spec, test, path):
    # 3. One user's history, weighed for their next click and for a negative.
    rows = test[test.history_items.map(len) >= 8].groupby("user_id").head(2)
    user = rows.user_id.iloc[0]
    pair = rows[rows.user_id == user].sort_values("label", ascending=False)
    features = {k: tf.constant(v) for k, v in spec.frame_to_arrays(pair).items()}
    weights = din.attention_weights(features).numpy()
    steps = len(pair.history_items.iloc[0])
    fig, ax = plt.subplots(figsize=(max(6, steps * 0.5), 3))
    width = 0.4
    for i, (label, item) in enumerate(zip(pair.label, pair.item_id)):
        kind = "clicked next" if label == 1 else "not clicked"
        ax.bar(np.arange(steps) + (i - 0.5) * width, weights[i, :steps], width,
               label=f"candidate {item} ({kind})")  # fmt: skip
    ax.set_xticks(np.arange(steps), [str(i) for i in pair.history_items.iloc[0]], rotation=60)
    ax.set_xlabel(f"user {user}'s history (item ids, oldest first)")
    ax.set_ylabel("DIN attention weight")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}: weights {np.round(weights[:, :steps], 3).tolist()}")


def serve(din, spec, test, output):
    # 4. The SavedModel takes padded [batch, None] histories of any length.
    example = {k: v[:4] for k, v in spec.frame_to_arrays(test).items()}
    version = export_for_serving(din, os.path.join(output, "din"), example)
    request = {
        "user_id": tf.constant([1, 2], tf.int64),
        "item_id": tf.constant([5, 7], tf.int64),
        "category": tf.constant([1, 1], tf.int64),
        "history_items": tf.constant([[1, 2, 3], [-1, -1, -1]], tf.int64),  # 2nd: empty
        "history_categories": tf.constant([[1, 1, 2], [-1, -1, -1]], tf.int64),
        "history_times": tf.constant([[0.0, 1.0, 2.0], [np.nan] * 3], tf.float32),
    }
    served = tf.saved_model.load(version).signatures["serving_default"](**request)
    print(f"served probabilities {np.round(served['probability'].numpy()[:, 0], 4)} "
          f"(keras {np.round(din(request).numpy()[:, 0], 4)})")  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--users", type=int, help="the first N users only (a quick run)")
    parser.add_argument("--data-dir", default=os.path.join(DATA, "amazon_s3rec"))
    parser.add_argument("--output", default=tempfile.mkdtemp(prefix="tfrank-seq-"))
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    din, spec, test = train_and_score(args)
    plot_attention(din, spec, test, os.path.join(args.output, "din_attention.png"))
    serve(din, spec, test, args.output)


if __name__ == "__main__":
    main()
