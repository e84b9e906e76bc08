"""The feature-interaction family: structure options, AFM weights, FNN from FM, DLRM."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers.spies import assert_fnn_starts_from, layer_weights, record_fits
from tfrank.data import make_dataset
from tfrank.layers import CrossLayer
from tfrank.models import AFM, DCN, DLRM, FM, FNN, PNN, DCNv2


def _batch(spec, frame, rows=16):
    return {k: tf.constant(v[:rows]) for k, v in spec.frame_to_arrays(frame).items()}


def test_dcn_v2_structures_and_cross_options(tiny_spec):
    stacked = DCNv2(tiny_spec, num_cross_layers=2, hidden_units=[8])
    parallel = DCNv2(tiny_spec, structure="parallel", num_cross_layers=2, hidden_units=[8])
    d = 3 * 4 + 2  # three categorical embeddings of 4, two numerics
    # Stacked: the MLP reads the cross output; parallel: the logit reads both.
    assert stacked.get_layer("mlp")._stack[0].kernel.shape == (d, 8)
    assert stacked.get_layer("logit").kernel.shape == (8, 1)
    assert parallel.get_layer("logit").kernel.shape == (d + 8, 1)
    moe = DCNv2(tiny_spec, projection_dim=3, num_experts=4, hidden_units=[8])
    cross = moe.get_layer("cross_0")
    assert isinstance(cross, CrossLayer) and cross.u_kernel.shape == (4, d, 3)
    # The paper's experts by default: C_i, g = tanh, one shared bias.
    assert cross.c_kernel.shape == (4, 3, 3) and cross.bias.shape == (d,)
    assert cross.expert_activation is keras.activations.tanh
    earlier = DCNv2(
        tiny_spec, projection_dim=3, num_experts=4, expert_form="low_rank", hidden_units=[8]
    )
    cross = earlier.get_layer("cross_1")
    assert not hasattr(cross, "c_kernel") and cross.bias.shape == (4, d)
    assert cross.expert_activation is keras.activations.linear
    relu = DCNv2(tiny_spec, projection_dim=3, num_experts=2, expert_activation="relu")
    assert relu.get_layer("cross_2").expert_activation is keras.activations.relu
    config = DCNv2.from_config(earlier.get_config()).get_config()
    assert config["expert_form"] == "low_rank" and config["expert_activation"] is None
    with pytest.raises(ValueError, match="structure must be one of"):
        DCNv2(tiny_spec, structure="sideways")


def test_dcn_uses_rank_one_cross_layers(tiny_spec):
    model = DCN(tiny_spec, num_cross_layers=3, hidden_units=[8])
    kernels = [model.get_layer(f"cross_{i}").kernel.shape for i in range(3)]
    assert kernels == [(14, 1)] * 3


def test_pnn_products(tiny_spec, tiny_frame):
    inputs = _batch(tiny_spec, tiny_frame)
    for product in ("inner", "outer", "both", "kernel"):
        model = PNN(tiny_spec, product=product, product_units=6, hidden_units=[4])
        assert model(inputs).shape == (16, 1)
        layer = model.get_layer("product")
        assert hasattr(layer, "inner_kernel") == (product in ("inner", "both"))
        assert hasattr(layer, "outer_kernel") == (product in ("outer", "both"))
    # 5 fields of width 4: one 4 x 4 kernel per pair (KPNN), or a diagonal.
    assert layer.pair_kernel.shape == (10, 4, 4)
    vec = PNN(tiny_spec, product="kernel", kernel_type="vec", product_units=6, hidden_units=[4])
    assert vec.get_layer("product").pair_kernel.shape == (10, 4)
    assert PNN.from_config(vec.get_config()).kernel_type == "vec"


def test_afm_attention_weights_are_readable(tiny_spec, tiny_frame):
    model = AFM(tiny_spec, attention_units=4)
    weights = np.asarray(model.attention_weights(_batch(tiny_spec, tiny_frame)))
    fields = model.field_names
    assert fields == ["site", "app", "hour", "price", "age"]
    assert weights.shape == (16, 10) and len(model.field_pair_names) == 10
    assert model.field_pair_names[0] == ("site", "app")
    np.testing.assert_allclose(weights.sum(axis=1), np.ones(16), rtol=1e-5)


def test_fnn_starts_from_the_fm_weights(tiny_spec, tiny_frame):
    keras.utils.set_random_seed(0)
    fm = FM(tiny_spec)
    fm.compile()
    fm.fit(make_dataset(tiny_frame, tiny_spec, batch_size=64), epochs=1, verbose=0)
    fnn = FNN.from_fm(fm, hidden_units=[8])
    assert_fnn_starts_from(layer_weights(fnn), fm, layer_weights(fm))


def test_fnn_for_training_trains_or_loads_an_fm(tiny_spec, tiny_frame, tmp_path, monkeypatch):
    data = make_dataset(tiny_frame, tiny_spec, batch_size=64)
    keras.utils.set_random_seed(0)
    fits = record_fits(monkeypatch, FM)
    trained_first = FNN.for_training(tiny_spec, {"hidden_units": [8], "fm_epochs": 2}, data, data)
    monkeypatch.undo()
    assert isinstance(trained_first, FNN)
    (fm_fit,) = fits
    # The FM's first-order weights start at zero, its factors at random:
    # both moved, for the two epochs asked.
    assert len(fm_fit.history.get("loss", [])) == 2
    assert fm_fit.moved("linear") > 1e-3 and fm_fit.moved("embeddings") > 1e-3
    # An untrained FM scores every row alike here (AUC 0.5); trained ones
    # reach about 0.74 on seeds 0-2.
    assert max(fm_fit.history["val_auc"]) > 0.65
    assert_fnn_starts_from(layer_weights(trained_first), fm_fit.model, fm_fit.after)

    fm = FM(tiny_spec)
    fm.compile()
    fm.fit(data, epochs=1, verbose=0)
    fm.save(str(tmp_path / "model.keras"))
    loaded = FNN.for_training(tiny_spec, {"fm_model_dir": str(tmp_path)})
    assert_fnn_starts_from(layer_weights(loaded), fm, layer_weights(fm))
    with pytest.raises(ValueError, match="not an FM"):
        DCN(tiny_spec).save(str(tmp_path / "model.keras"))
        FNN.for_training(tiny_spec, {"fm_model_dir": str(tmp_path)})


def test_dlrm_interactions_include_the_bottom_mlp_output(tiny_spec, tiny_frame):
    model = DLRM(tiny_spec, bottom_units=[8], top_units=[8])
    assert model.get_layer("bottom_mlp").units == [8, 4]  # ends at the embedding width
    vectors = 3 + 1  # three categorical embeddings and the bottom output
    top_in = model.get_layer("top_mlp")._stack[0].kernel.shape[0]
    assert top_in == 4 + vectors * (vectors - 1) // 2
    with_self = DLRM(tiny_spec, bottom_units=[8], top_units=[8], self_interaction=True)
    assert with_self.get_layer("top_mlp")._stack[0].kernel.shape[0] == 4 + 10
    assert model(_batch(tiny_spec, tiny_frame)).shape == (16, 1)
