"""Multi-task sample spaces: a task trained and scored on the rows where another is positive."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfrank.data import SyntheticMultiTask
from tfrank.metrics import auc, score_frame
from tfrank.models import PLE, AdaTT, MMoE, SharedBottom
from tfrank.models.task_masks import normalize_task_masks

DATA = SyntheticMultiTask(num_numeric=4, num_categorical=2, cardinality=10, seed=0)
FRAME = DATA.sample(8).drop(columns=DATA.task_names)
SPEC = DATA.feature_spec(embedding_dim=4).fit(FRAME)
# A purchase implies a click, as in Ali-CCP.
FRAME["click"] = np.array([1, 1, 1, 0, 0, 0, 1, 0], np.float32)
FRAME["purchase"] = np.array([1, 0, 0, 0, 0, 0, 1, 0], np.float32)
TASKS = ["click", "purchase"]
SIZES = {
    SharedBottom: {"bottom_units": [4]},
    MMoE: {"num_experts": 2, "expert_units": [4]},
    PLE: {"task_experts": 1, "shared_experts": 1, "expert_units": [4]},
    AdaTT: {"task_experts": 1, "shared_experts": 1, "expert_units": [4]},
}


def _model(cls=MMoE, **config):
    keras.utils.set_random_seed(0)
    model = cls(SPEC, TASKS, tower_units=[4], task_masks={"purchase": "click"}, **SIZES[cls],
                **config)  # fmt: skip
    model.compile(optimizer=keras.optimizers.SGD(0.0))
    return model


def _bce(labels, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -(labels * np.log(p) + (1 - labels) * np.log(1 - p))


def test_masked_task_loss_is_the_mean_over_its_sample_space():
    model = _model()
    predicted = model.predict(FRAME, verbose=0)
    logs = model.fit(FRAME, batch_size=len(FRAME), epochs=1, shuffle=False, verbose=0).history
    click, purchase = FRAME["click"].to_numpy(), FRAME["purchase"].to_numpy()
    clicked = click == 1
    expected_purchase = _bce(purchase, predicted["purchase"][:, 0])[clicked].mean()
    expected_click = _bce(click, predicted["click"][:, 0]).mean()
    assert logs["purchase_loss"][0] == pytest.approx(expected_purchase, rel=1e-4)
    assert logs["click_loss"][0] == pytest.approx(expected_click, rel=1e-4)
    assert logs["loss"][0] == pytest.approx(expected_click + expected_purchase, rel=1e-4)


def test_labels_outside_the_sample_space_give_no_loss_and_no_gradient():
    model = _model()
    x = model.feature_spec.frame_to_arrays(FRAME)

    def loss_and_gradients(purchase):
        y = {"click": tf.constant(FRAME["click"].to_numpy()), "purchase": tf.constant(purchase)}
        with tf.GradientTape() as tape:
            loss = model.compute_loss(x, y, model(x, training=True), training=True)
        gradients = tape.gradient(loss, model.trainable_weights)
        return loss.numpy(), [tf.convert_to_tensor(g).numpy() for g in gradients]

    labels = FRAME["purchase"].to_numpy()
    loss, gradients = loss_and_gradients(labels)
    outside = labels.copy()
    outside[3] = 1.0  # row 3 was not clicked
    loss_outside, gradients_outside = loss_and_gradients(outside)
    assert loss_outside == loss
    for g, g_outside in zip(gradients, gradients_outside):
        np.testing.assert_array_equal(g_outside, g)
    inside = labels.copy()
    inside[1] = 1.0  # row 1 was clicked
    assert loss_and_gradients(inside)[0] != pytest.approx(loss)


def test_masked_task_is_evaluated_on_its_sample_space():
    model = _model()
    predicted = model.predict(FRAME, verbose=0)
    clicked = FRAME["click"].to_numpy() == 1
    purchase = FRAME["purchase"].to_numpy()
    scores = score_frame(model, FRAME)["tasks"]
    assert scores["purchase"]["auc"] == pytest.approx(
        auc(purchase[clicked], predicted["purchase"][clicked, 0])
    )
    assert scores["click"]["auc"] == pytest.approx(auc(FRAME["click"], predicted["click"][:, 0]))
    reference = keras.metrics.AUC()
    reference.update_state(purchase[clicked], predicted["purchase"][clicked, 0])
    logs = model.evaluate(FRAME, batch_size=len(FRAME), return_dict=True, verbose=0)
    assert logs["purchase_auc"] == pytest.approx(float(reference.result()), abs=1e-6)


def test_task_masks_round_trip_and_are_checked(tmp_path):
    for cls in SIZES:
        assert _model(cls).get_config()["task_masks"] == {"purchase": "click"}, cls.__name__
    model = _model(PLE)
    path = str(tmp_path / "ple.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.task_masks == {"purchase": "click"}
    assert MMoE(SPEC, TASKS, num_experts=2, expert_units=[4]).task_masks is None
    tasks = [{"name": "click", "loss": "binary_crossentropy"},
             {"name": "watch", "loss": "mean_squared_error"}]  # fmt: skip
    for masks, message in [
        ({"buy": "click"}, "names tasks of the model"),
        ({"click": "click"}, "its own label"),
        ({"click": "watch"}, "not a binary task"),
        (["click"], "must be a dict"),
    ]:
        with pytest.raises(ValueError, match=message):
            normalize_task_masks(masks, tasks)
