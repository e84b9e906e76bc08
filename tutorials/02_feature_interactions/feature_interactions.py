"""Feature interactions on Frappe: DCN-v2's cross layers and AFM's attention.

    python tutorials/02_feature_interactions/feature_interactions.py [--epochs 10]

Trains DCN-v2 (explicit crosses) and AFM (attention over field pairs) on
Frappe (80/10/10 split of the public files), compares their test AUC, and
draws which field pairs AFM attends to: `afm_attention.png`.
"""

import argparse
import os
import tempfile

import keras
import matplotlib
import numpy as np

from tfrank.data import frappe_feature_spec, load_frappe, make_dataset, train_validation_test_split
from tfrank.metrics import auc
from tfrank.models import AFM, DCNv2

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# The public datasets beside the checkout, or where $TFRANK_SHARED_DATA points.
DATA = os.environ.get("TFRANK_SHARED_DATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data"
)


def fit(model, train, valid, spec, epochs):
    model.compile(optimizer=keras.optimizers.Adam(5e-3))
    stop = keras.callbacks.EarlyStopping(
        monitor="val_auc", mode="max", patience=2, restore_best_weights=True
    )
    model.fit(
        make_dataset(train, spec, batch_size=1024, shuffle=True),
        validation_data=make_dataset(valid, spec, batch_size=4096),
        epochs=epochs,
        callbacks=[stop],
        verbose=2,
    )
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=os.path.join(DATA, "frappe"))
    parser.add_argument("--output", default=tempfile.mkdtemp(prefix="tfrank-interactions-"))
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()

    # 1. Data: ten categorical fields (user, item, context), ids as int64.
    frame = load_frappe(args.data_dir)
    train, valid, test = train_validation_test_split(frame, (0.8, 0.1, 0.1), seed=2024)
    spec = frappe_feature_spec(embedding_dim=16).fit(train)
    test_features = make_dataset(test, spec, label=None, batch_size=4096)
    print(f"Frappe: {len(train)} train / {len(valid)} validation / {len(test)} test rows")

    # 2. DCN-v2: three full-rank cross layers (degree-4 crosses), then an MLP.
    keras.utils.set_random_seed(0)
    dcn = fit(DCNv2(spec, num_cross_layers=3, dropout=0.2), train, valid, spec, args.epochs)
    dcn_auc = auc(test.label, dcn.predict(test_features, verbose=0)[:, 0])

    # 3. AFM: FM's pairwise products, weighted by an attention network.
    keras.utils.set_random_seed(0)
    afm = fit(AFM(spec, attention_units=16), train, valid, spec, args.epochs)
    afm_auc = auc(test.label, afm.predict(test_features, verbose=0)[:, 0])
    print(f"test AUC: DCN-v2 {dcn_auc:.4f}, AFM {afm_auc:.4f}")

    # 4. Which field pairs does AFM attend to? Average a_ij over test rows.
    weights = np.concatenate(
        [np.asarray(afm.attention_weights(batch)) for batch in test_features], axis=0
    ).mean(axis=0)
    fields = afm.field_names
    matrix = np.full((len(fields), len(fields)), np.nan)
    for (a, b), w in zip(afm.field_pair_names, weights):
        i, j = fields.index(a), fields.index(b)
        matrix[i, j] = matrix[j, i] = w
    ranked = sorted(zip(weights, afm.field_pair_names), reverse=True)
    print("pairs AFM weighs most:", [(f"{a}×{b}", round(float(w), 3)) for w, (a, b) in ranked[:5]])

    fig, ax = plt.subplots(figsize=(7, 6))
    image = ax.imshow(matrix, cmap="viridis")
    ax.set_xticks(range(len(fields)), fields, rotation=45, ha="right")
    ax.set_yticks(range(len(fields)), fields)
    ax.set_title("AFM attention per field pair (mean over test rows)")
    fig.colorbar(image, ax=ax, label="attention weight")
    fig.tight_layout()
    os.makedirs(args.output, exist_ok=True)
    path = os.path.join(args.output, "afm_attention.png")
    fig.savefig(path, dpi=120)
    print(f"heatmap: {path}")


if __name__ == "__main__":
    main()
