"""NFM and AFM started from a trained FM, directly and through `for_training`."""

import keras
import numpy as np
import pytest

from tfrank.data import make_dataset
from tfrank.models import AFM, FM, NFM


@pytest.fixture(scope="module")
def trained_fm(tiny_spec, tiny_frame):
    keras.utils.set_random_seed(0)
    fm = FM(tiny_spec)
    fm.compile()
    fm.fit(make_dataset(tiny_frame, tiny_spec, batch_size=64), epochs=1, verbose=0)
    return fm


def _assert_started_from(model, fm):
    for name in ("embeddings", "numeric_embeddings"):
        for ours, theirs in zip(model.get_layer(name).weights, fm.get_layer(name).weights):
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours, theirs = model.get_layer("linear"), fm.get_layer("linear")
    np.testing.assert_array_equal(ours.id_weights.numpy(), theirs.id_weights.numpy())
    np.testing.assert_array_equal(ours.numeric_kernel.numpy(), theirs.numeric_kernel.numpy())
    np.testing.assert_array_equal(ours.bias.numpy(), theirs.bias.numpy())


@pytest.mark.parametrize("model_cls, config", [(NFM, {}), (AFM, {"attention_units": 2})])
def test_from_fm_copies_the_embeddings_and_first_order(
    model_cls, config, trained_fm, tiny_spec, tiny_frame
):
    assert np.abs(trained_fm.get_layer("linear").id_weights.numpy()).sum() > 0
    keras.utils.set_random_seed(1)
    fresh = model_cls(tiny_spec, **config)
    keras.utils.set_random_seed(1)
    started = model_cls.from_fm(trained_fm, **config)
    _assert_started_from(started, trained_fm)
    features = tiny_spec.frame_to_arrays(tiny_frame.head(8))
    fresh_p, started_p = (m.predict(features, verbose=0) for m in (fresh, started))
    assert np.abs(fresh_p - started_p).max() > 1e-4


def test_from_an_fm_with_crosses_copies_the_categorical_rows(trained_fm, tiny_spec):
    wide_fm = FM(tiny_spec, use_crossed=True)
    rows = trained_fm.get_layer("linear").id_weights.shape[0]
    cross = np.ones((wide_fm.get_layer("linear").id_weights.shape[0] - rows, 1))
    table = np.concatenate([trained_fm.get_layer("linear").id_weights.numpy(), cross])
    wide_fm.get_layer("linear").id_weights.assign(table)
    model = NFM.from_fm(wide_fm)
    np.testing.assert_array_equal(model.get_layer("linear").id_weights.numpy(), table[:rows])
    both_wide = NFM.from_fm(wide_fm, use_crossed=True)
    np.testing.assert_array_equal(both_wide.get_layer("linear").id_weights.numpy(), table)


def test_for_training_starts_from_an_fm_only_when_asked(
    trained_fm, tiny_spec, tiny_frame, tmp_path
):
    data = make_dataset(tiny_frame, tiny_spec, batch_size=64)
    plain = NFM.for_training(tiny_spec, {"hidden_units": [4]}, data, data)
    assert np.abs(plain.get_layer("linear").id_weights.numpy()).sum() == 0
    pretrained = NFM.for_training(tiny_spec, {"pretrain_fm": True, "fm_epochs": 1}, data, data)
    assert isinstance(pretrained, NFM) and pretrained.hidden_units == [4]
    assert np.abs(pretrained.get_layer("linear").id_weights.numpy()).sum() > 0

    trained_fm.save(str(tmp_path / "model.keras"))
    loaded = AFM.for_training(tiny_spec, {"attention_units": 2, "fm_model_dir": str(tmp_path)})
    _assert_started_from(loaded, trained_fm)
    with pytest.raises(ValueError, match="AFM needs a trained FM"):
        AFM.for_training(tiny_spec, {"pretrain_fm": True})
