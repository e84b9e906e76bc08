"""Quickstart: DeepFM on a Criteo sample, from raw rows to a served prediction.

    python tutorials/01_quickstart/quickstart.py [--data-dir ../shared/data/criteo]

Steps: load raw Criteo rows, declare and fit the features, train DeepFM,
evaluate, export for TF Serving, and score the export the way TF Serving
would: from the raw-feature request body, with TensorFlow alone.
"""

import argparse
import os
import tempfile

import keras

import tfrank
from tfrank.data import criteo_feature_spec, load_criteo, make_dataset
from tfrank.export import export_for_serving, score_in_tensorflow_only
from tfrank.metrics import auc, logloss

# The public datasets beside the checkout, or where $TFRANK_SHARED_DATA points.
DATA = os.environ.get("TFRANK_SHARED_DATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data"
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=os.path.join(DATA, "criteo"))
    parser.add_argument("--output", default=tempfile.mkdtemp(prefix="tfrank-quickstart-"))
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    # 1. Raw rows: label, 13 counts (I1-I13, empty = missing), 26 hashed categories.
    train = load_criteo(os.path.join(args.data_dir, "wideresdnn_train.tsv"))
    test = load_criteo(os.path.join(args.data_dir, "wideresdnn_test.tsv"))
    print(f"train rows {len(train)}, test rows {len(test)}, CTR {train.label.mean():.3f}")

    # 2. Features: declared once, fitted on training rows only. Vocabularies and
    #    normalization statistics become part of the model.
    spec = criteo_feature_spec(embedding_dim=8, min_count=2).fit(train)
    print(f"C3 vocabulary: {spec['C3'].vocabulary_size} ids; I5 mean {spec['I5'].mean:.2f}")

    # 3. Model: every registered model is built from the spec and compiles with
    #    sensible defaults (Adam, binary cross-entropy, AUC).
    keras.utils.set_random_seed(0)
    model = tfrank.get_model_class("deepfm")(spec, hidden_units=[128, 64], dropout=0.2)
    model.compile()
    model.fit(
        make_dataset(train, spec, batch_size=256, shuffle=True),
        validation_data=make_dataset(test, spec, batch_size=1024),
        epochs=args.epochs,
        verbose=2,
    )

    # 4. Evaluate on the held-out file.
    scores = model.predict(make_dataset(test, spec, label=None), verbose=0)[:, 0]
    print(f"test AUC {auc(test.label, scores):.4f}  logloss {logloss(test.label, scores):.4f}")

    # 5. Save and export: serving/<version>/ with a warmup file and an example request.
    model.save(os.path.join(args.output, "model.keras"))
    example = {k: v[:8] for k, v in spec.frame_to_arrays(test).items()}
    version = export_for_serving(model, os.path.join(args.output, "serving"), example)
    request = os.path.join(version, "assets.extra", "example_request.json")
    print(f"exported {version}")

    # 6. Score the export as TF Serving would: raw features in, no tfrank, no Keras.
    served = score_in_tensorflow_only([(version, request)])[version]["probability"]
    keras_scores = scores[:8]
    diff = max(abs(a[0] - b) for a, b in zip(served, keras_scores))
    print(f"served probabilities {[round(p[0], 4) for p in served]}")
    print(f"max |served - keras| = {diff:.2e}")
    assert diff <= 1e-5, "the exported model must reproduce the Keras model"


if __name__ == "__main__":
    main()
