"""GMF, NCF's MLP and NeuMF against NumPy references of their formulas."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers.data import tiny_feature_spec, tiny_implicit_frame, tiny_implicit_spec
from tfrank.data import make_dataset
from tfrank.models import GMF, NCFMLP, NeuMF


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _ids(model, users, items):
    inputs = {"user_id": tf.constant(users, tf.int64), "item_id": tf.constant(items, tf.int64)}
    ids = model.get_layer("features")(inputs)["ids"]
    return inputs, ids["user_id"].numpy(), ids["item_id"].numpy()


def _table(model, layer, feature, ids):
    """Rows of `feature` in the fused table of `layer`."""
    bank = model.get_layer(layer)
    table = bank.tables[str(bank.features[0]["embedding_dim"])].numpy()
    return table[ids + bank.offsets([feature])[0]]


USERS, ITEMS = [0, 3, 7, 12], [5, 5, 19, 33]


def test_gmf_is_a_weighted_elementwise_product():
    model = GMF(tiny_implicit_spec(), factors=3)
    inputs, u, i = _ids(model, USERS, ITEMS)
    p, q = (
        _table(model, "gmf_embeddings", "user_id", u),
        _table(model, "gmf_embeddings", "item_id", i),
    )
    h, b = model.get_layer("prediction").get_weights()
    np.testing.assert_allclose(model(inputs).numpy(), _sigmoid((p * q) @ h + b), rtol=1e-5)


def test_ncf_mlp_is_a_relu_tower_over_concatenated_embeddings():
    model = NCFMLP(tiny_implicit_spec(), mlp_layers=[6, 4, 2])
    inputs, u, i = _ids(model, USERS, ITEMS)
    z = np.concatenate(
        [
            _table(model, "mlp_embeddings", "user_id", u),
            _table(model, "mlp_embeddings", "item_id", i),
        ],
        axis=1,
    )
    assert z.shape == (4, 6)
    weights = model.get_layer("mlp").get_weights()
    for kernel, bias in zip(weights[::2], weights[1::2]):
        z = np.maximum(z @ kernel + bias, 0)
    h, b = model.get_layer("prediction").get_weights()
    np.testing.assert_allclose(model(inputs).numpy(), _sigmoid(z @ h + b), rtol=1e-5)


def test_neumf_from_pretrained_starts_as_the_average_of_both_logits():
    spec = tiny_implicit_spec()
    frame = tiny_implicit_frame()
    gmf, mlp = GMF(spec, factors=4), NCFMLP(spec, mlp_layers=[8, 4])
    for model in (gmf, mlp):
        model.compile()
        model.fit(make_dataset(frame, spec, batch_size=64), epochs=2, verbose=0)
    neumf = NeuMF.from_pretrained(gmf, mlp, alpha=0.5)
    inputs, _, _ = _ids(neumf, USERS, ITEMS)

    def logit(m):
        p = np.clip(m(inputs).numpy(), 1e-7, 1 - 1e-7)
        return np.log(p / (1 - p))

    np.testing.assert_allclose(logit(neumf), 0.5 * (logit(gmf) + logit(mlp)), atol=1e-4)
    neumf.compile()
    assert isinstance(neumf.optimizer, keras.optimizers.SGD)
    weighted = NeuMF.from_pretrained(gmf, mlp, alpha=0.8).get_layer("prediction").get_weights()[0]
    h_g, h_m = (m.get_layer("prediction").get_weights()[0] for m in (gmf, mlp))
    np.testing.assert_allclose(weighted, np.concatenate([0.8 * h_g, 0.2 * h_m]), rtol=1e-6)


def test_neumf_has_separate_gmf_and_mlp_embeddings():
    model = NeuMF(tiny_implicit_spec(), factors=3, mlp_layers=[10, 4])
    assert model.get_layer("gmf_embeddings").features[0]["embedding_dim"] == 3
    assert model.get_layer("mlp_embeddings").features[0]["embedding_dim"] == 5
    assert model.get_layer("prediction").get_weights()[0].shape == (3 + 4, 1)


@pytest.mark.parametrize("cls", [GMF, NCFMLP, NeuMF])
def test_a_spec_with_other_features_is_refused_by_name(cls, tiny_frame):
    spec = tiny_feature_spec().fit(tiny_frame)
    with pytest.raises(
        ValueError, match="exactly the categorical features 'user_id' and 'item_id'"
    ):
        cls(spec)


def test_mlp_layers_must_split_into_two_embeddings():
    with pytest.raises(ValueError, match="mlp_layers needs an even"):
        NCFMLP(tiny_implicit_spec(), mlp_layers=[7, 4])
