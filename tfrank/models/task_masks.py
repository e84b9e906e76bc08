"""Sample spaces of multi-task models: a task trained on the rows where another is positive."""

from __future__ import annotations

from collections.abc import Mapping

from keras import ops


def normalize_task_masks(task_masks, tasks) -> dict[str, str] | None:
    """`{task: gating task}` checked against `tasks` (normalized task dicts),
    or `None` when there are none.

    A task may be gated only by another binary task (its label is 0 or 1),
    as the purchase task of Ali-CCP is by the click task.

    Example:

    >>> tasks = [{"name": "click", "loss": "binary_crossentropy"},
    ...          {"name": "purchase", "loss": "binary_crossentropy"}]
    >>> normalize_task_masks({"purchase": "click"}, tasks)
    {'purchase': 'click'}
    """
    if not task_masks:
        return None
    if not isinstance(task_masks, Mapping):
        raise ValueError(
            f"task_masks must be a dict {{task: gating task}}. Received: {task_masks!r}"
        )
    losses = {t["name"]: t["loss"] for t in tasks}
    result = {}
    for task, gate in task_masks.items():
        task, gate = str(task), str(gate)
        if task not in losses or gate not in losses:
            raise ValueError(
                f"task_masks names tasks of the model ({sorted(losses)}). Received: {task!r}: "
                f"{gate!r}"
            )
        if task == gate:
            raise ValueError(f"Task {task!r} cannot be masked by its own label.")
        if losses[gate] != "binary_crossentropy":
            raise ValueError(f"Task {task!r} is masked by {gate!r}, which is not a binary task.")
        result[task] = gate
    return result


def task_sample_weights(task_names, task_masks, labels, sample_weight=None):
    """Per-task loss weights that keep each masked task to its sample space.

    A task `t` masked by task `g` weighs row `i` by `m_i = [y_g,i = 1]`
    (times any given `sample_weight`), scaled by `B / sum_i m_i` (B: the
    batch's rows) so that Keras' mean over the batch becomes the mean over
    the sample space (0 for a batch without a row of it):

        L_t = sum_i m_i l_t,i / sum_i m_i

    Args:
        task_names: list of str. The model's outputs.
        task_masks: `{task: gating task}` or `None` (weights returned as given).
        labels: `{task: [batch] or [batch, 1] labels}`, or a list in task order.
        sample_weight: optional weights, one tensor or a dict per task.

    Returns:
        `{task: weights or None}`, or `sample_weight` when no task is masked.
    """
    if not task_masks:
        return sample_weight
    labels = _by_task(task_names, labels)
    weights = {}
    for name in task_names:
        given = _given(sample_weight, name)
        if name not in task_masks:
            weights[name] = given
            continue
        mask = ops.cast(_in_space(labels[task_masks[name]]), "float32")
        rows = ops.cast(ops.shape(mask)[0], "float32")
        mask = mask * ops.divide_no_nan(rows, ops.sum(mask))
        if given is not None:
            mask = mask * ops.reshape(ops.cast(given, "float32"), (-1,))
        weights[name] = mask
    return weights


def task_sample_spaces(task_names, task_masks, labels, predictions, sample_weight=None):
    """`(labels, predictions, sample_weight)` with each masked task's entries
    cut to the rows of its sample space, for metrics: every compiled metric
    of the task (weighted or not) then sees only those rows.

    Returns the inputs unchanged when no task is masked, else dicts by task.
    """
    if not task_masks:
        return labels, predictions, sample_weight
    labels = _by_task(task_names, labels)
    predictions = _by_task(task_names, predictions)
    cut_labels, cut_predictions, weights = {}, {}, {}
    for name in task_names:
        y, p, w = labels[name], predictions[name], _given(sample_weight, name)
        if name in task_masks:
            rows = ops.nonzero(_in_space(labels[task_masks[name]]))[0]
            y, p = ops.take(y, rows, axis=0), ops.take(p, rows, axis=0)
            w = None if w is None else ops.take(ops.reshape(w, (-1,)), rows, axis=0)
        cut_labels[name], cut_predictions[name], weights[name] = y, p, w
    no_weights = all(w is None for w in weights.values())
    return cut_labels, cut_predictions, None if no_weights else weights


def _by_task(task_names, values):
    return dict(values) if isinstance(values, Mapping) else dict(zip(task_names, values))


def _given(sample_weight, name):
    return sample_weight.get(name) if isinstance(sample_weight, Mapping) else sample_weight


def _in_space(gate_labels):
    return ops.equal(ops.reshape(ops.cast(gate_labels, "float32"), (-1,)), 1.0)
