"""Multi-task models: tasks, per-task losses and weights, early stopping, scores."""

import keras
import numpy as np
import pytest

from tfrank.data import SyntheticMultiTask, make_dataset
from tfrank.metrics import auc, score_frame
from tfrank.models import PLE, AdaTT, MMoE, SharedBottom
from tfrank.models.multi_task_model import MeanTaskMetric, normalize_tasks

DATA = SyntheticMultiTask(num_numeric=4, num_categorical=2, cardinality=10, seed=0)
FRAME = DATA.sample(512)
SPEC = DATA.feature_spec(embedding_dim=4).fit(FRAME)
SMALL = {"tower_units": [4]}
SIZES = {
    SharedBottom: {"bottom_units": [8]},
    MMoE: {"num_experts": 2, "expert_units": [4]},
    PLE: {"task_experts": 1, "shared_experts": 1, "expert_units": [4]},
    AdaTT: {"task_experts": 1, "shared_experts": 1, "expert_units": [4]},
}


def test_tasks_are_names_or_dicts_with_defaults_and_clear_errors():
    assert normalize_tasks(["a", {"name": "b", "loss": "mse", "weight": 0.5}]) == [
        {"name": "a", "loss": "binary_crossentropy", "weight": 1.0},
        {"name": "b", "loss": "mean_squared_error", "weight": 0.5},
    ]
    for tasks, message in [
        ([], "needs `tasks`"),
        (["a", "a"], "unique"),
        (["a b"], "identifier"),
        ([{"name": "a", "loss": "hinge"}], "loss must be one of"),
        ([{"name": "a", "weight": -1}], "weight must be >= 0"),
        ([{"name": "a", "lr": 1}], "A task is a name"),
    ]:
        with pytest.raises(ValueError, match=message):
            normalize_tasks(tasks)


@pytest.mark.parametrize("cls", list(SIZES), ids=lambda c: c.__name__)
def test_one_named_output_per_task_and_tasks_from_the_data(cls):
    dataset = make_dataset(FRAME, SPEC, DATA.task_names, batch_size=128)
    model = cls.for_training(SPEC, {**SMALL, **SIZES[cls]}, dataset)
    assert model.task_names == ["task_1", "task_2"]
    predicted = model.predict(make_dataset(FRAME, SPEC, None, batch_size=128), verbose=0)
    assert sorted(predicted) == ["task_1", "task_2"]
    for values in predicted.values():
        assert values.shape == (512, 1) and ((values > 0) & (values < 1)).all()
    single = make_dataset(FRAME, SPEC, "task_1", batch_size=128)
    with pytest.raises(ValueError, match="one label column per task"):
        cls.for_training(SPEC, {**SMALL, **SIZES[cls]}, single)


def test_total_loss_is_the_weighted_sum_and_a_zero_weight_task_is_not_trained():
    tasks = [{"name": "task_1", "weight": 2.0}, {"name": "task_2", "weight": 0.0}]
    keras.utils.set_random_seed(0)
    model = MMoE(SPEC, tasks, **SMALL, **SIZES[MMoE])
    model.compile()
    dataset = make_dataset(FRAME, SPEC, DATA.task_names, batch_size=512)
    logs = model.evaluate(dataset, return_dict=True, verbose=0)
    np.testing.assert_allclose(logs["loss"], 2.0 * logs["task_1_loss"], rtol=1e-5)
    head = [w.numpy().copy() for w in model.get_layer("head_task_2").weights]
    model.fit(dataset, epochs=2, verbose=0)
    for before, after in zip(head, model.get_layer("head_task_2").weights):
        np.testing.assert_array_equal(after.numpy(), before)


def test_regression_tasks_are_linear_with_rmse_and_steer_early_stopping():
    frame = SyntheticMultiTask(num_numeric=4, num_categorical=2, cardinality=10,
                               labels="regression", seed=0).sample(256)  # fmt: skip
    tasks = [{"name": "task_1", "loss": "mse"}, {"name": "task_2", "loss": "mse"}]
    model = SharedBottom(SPEC, tasks, **SMALL, **SIZES[SharedBottom])
    assert model.early_stopping() == ("val_rmse", "min")
    model.compile()
    logs = model.fit(make_dataset(frame, SPEC, DATA.task_names, batch_size=64),
                     epochs=1, verbose=0).history  # fmt: skip
    assert "task_1_rmse" in logs and "task_2_rmse" in logs
    assert model.get_layer("task_1").activation.__name__ == "linear"
    mixed = SharedBottom(SPEC, ["task_1", tasks[1]], **SMALL, **SIZES[SharedBottom])
    assert mixed.early_stopping() == ("val_auc", "max")


def test_mean_task_metric_averages_the_binary_tasks_validation_auc():
    logs = {"val_task_1_auc": 0.7, "val_task_2_auc": 0.9, "val_task_3_rmse": 2.0}
    MeanTaskMetric(normalize_tasks(["task_1", "task_2", {"name": "task_3", "loss": "mse"}])
                   ).on_epoch_end(0, logs)  # fmt: skip
    assert logs["val_auc"] == pytest.approx(0.8)


def test_score_reports_each_task_and_their_mean_auc():
    keras.utils.set_random_seed(0)
    model = PLE(SPEC, DATA.task_names, **SMALL, **SIZES[PLE])
    result = score_frame(model, FRAME)
    predicted = model.predict(make_dataset(FRAME, SPEC, None, batch_size=4096), verbose=0)
    for name in DATA.task_names:
        expected = auc(FRAME[name].to_numpy(), predicted[name].reshape(-1))
        assert result["tasks"][name]["auc"] == pytest.approx(expected)
    assert result["auc"] == pytest.approx(
        np.mean([result["tasks"][n]["auc"] for n in DATA.task_names])
    )


@pytest.mark.parametrize("cls, layer", [(PLE, "extraction"), (AdaTT, "fusion")])
def test_levels_stack_and_only_the_last_drops_the_shared_stream(cls, layer):
    model = cls(SPEC, DATA.task_names, levels=3, **SMALL, **SIZES[cls])
    flags = [model.get_layer(f"{layer}_{i}").output_shared for i in range(3)]
    assert flags == [True, True, False]
    with pytest.raises(ValueError, match="levels must be at least 1"):
        cls(SPEC, DATA.task_names, levels=0, **SMALL, **SIZES[cls])
