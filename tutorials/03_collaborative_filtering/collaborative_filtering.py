"""Collaborative filtering: NeuMF with pretraining, ranked by HR@10 / NDCG@10,
and AutoRec rating prediction.

    python tutorials/03_collaborative_filtering/collaborative_filtering.py [--epochs 10]

Part 1 trains GMF and the MLP on NCF's MovieLens-1M split with 4 sampled
negatives per positive (fresh each epoch), starts NeuMF from both and
fine-tunes it, then ranks each user's held-out movie among 99 others.
Part 2 trains I-AutoRec on MovieLens-100K's u1 fold and scores RMSE,
then serves one prediction from the exported SavedModel.
"""

import argparse
import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

from tfrank.data import make_dataset
from tfrank.data.movielens import load_movielens_100k, load_ncf_ml1m, movielens_feature_spec
from tfrank.data.negative_sampler import NegativeSampler
from tfrank.export import export_for_serving
from tfrank.metrics import rank_metrics
from tfrank.models import GMF, NCFMLP, AutoRec, NeuMF

# The public datasets beside the checkout, or where $TFRANK_SHARED_DATA points.
DATA = os.environ.get("TFRANK_SHARED_DATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data"
)


def neumf_with_pretraining(args):
    # 1. Data: (user, item) positives; each test user's latest movie + 99 negatives.
    data = load_ncf_ml1m(os.path.join(DATA, "ncf_ml1m"), nrows=args.rows)
    spec = data.feature_spec().fit(data.vocabulary_frame())
    sampler = NegativeSampler(data.train, data.items, num_negatives=4, seed=0)
    train = sampler.dataset(spec, batch_size=1024)  # every epoch draws new negatives
    print(f"NCF ML-1M: {len(data.train)} positives, {len(data.test)} test users")

    # 2. Pretrain GMF and the MLP (8 predictive factors), Adam as in the paper.
    keras.utils.set_random_seed(0)
    gmf, mlp = GMF(spec, factors=8), NCFMLP(spec, mlp_layers=[32, 16, 8])
    for model in (gmf, mlp):
        model.compile()
        model.fit(train, epochs=args.epochs, verbose=2)
        print(f"{model.name}: test {rank_metrics(model, data)}")

    # 3. NeuMF from both (alpha 0.5), fine-tuned with plain SGD.
    neumf = NeuMF.from_pretrained(gmf, mlp, alpha=0.5, learning_rate=1e-3)
    print(f"NeuMF before fine-tuning: {rank_metrics(neumf, data)}")
    neumf.compile()
    neumf.fit(train, epochs=max(1, args.epochs // 2), verbose=2)
    metrics = rank_metrics(neumf, data)
    print(f"NeuMF (pretrained): HR@10 {metrics['hr@10']:.4f}  NDCG@10 {metrics['ndcg@10']:.4f}")


def autorec(args):
    # 4. Explicit ratings: I-AutoRec holds the training ratings inside the model.
    train, test = load_movielens_100k(os.path.join(DATA, "movielens_100k"), "u1")
    spec = movielens_feature_spec().fit(train)
    model = AutoRec(spec, kind="item", hidden_units=500, global_mean=float(train.rating.mean()))
    model.set_ratings(train)
    model.compile()
    model.fit(make_dataset(train, spec, label="rating", batch_size=256, shuffle=True),
              epochs=args.epochs, verbose=2)  # fmt: skip
    predicted = model.predict(make_dataset(test, spec, label=None, batch_size=4096), verbose=0)
    rmse = float(np.sqrt(np.mean((predicted[:, 0] - test.rating.to_numpy()) ** 2)))
    print(f"I-AutoRec on ML-100K u1: test RMSE {rmse:.4f}")

    # 5. Serve: the SavedModel takes (user_id, item_id) and returns {"rating"}.
    example = {k: v[:4] for k, v in spec.frame_to_arrays(test).items()}
    version = export_for_serving(model, os.path.join(args.output, "autorec"), example)
    served = tf.saved_model.load(version).signatures["serving_default"]
    got = served(**{k: tf.constant(v) for k, v in example.items()})["rating"].numpy()[:, 0]
    print(f"served ratings {np.round(got, 3)} (keras {np.round(predicted[:4, 0], 3)})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rows", type=int, help="first NCF training rows only (a quick run)")
    parser.add_argument("--output", default=tempfile.mkdtemp(prefix="tfrank-cf-"))
    args = parser.parse_args()
    neumf_with_pretraining(args)
    autorec(args)


if __name__ == "__main__":
    main()
