"""FMInitializable: models whose embeddings and first order start from a trained FM."""

from __future__ import annotations

import os

import keras

from tfrank.models.fm import FM


class FMInitializable:
    """Mixin of models built like an FM (NFM, AFM) that can start from one.

    Both papers pre-train an FM and initialize the model's feature
    embeddings `v_i` and first-order weights `w_0, w_f` from it, then train
    everything end to end. The model must name its layers as `FM` does:
    `embeddings`, `numeric_embeddings` and `linear`.

    - `Model.from_fm(fm, **kwargs)`: a model on `fm`'s feature spec with the
      FM's embedding tables, numeric factors, per-id and numeric first-order
      weights and global bias copied. The first-order tables hold the
      categorical rows first, then the crossed ones, so the categorical rows
      are copied whether or not either model reads crossed features;
      crossed rows are copied when both do.
    - `Model.for_training(spec, config, ...)`: `Model(spec, **config)`, or,
      with `pretrain_fm: true` or `fm_model_dir: DIR` in `config`, the model
      `from_fm` an FM loaded from `DIR/model.keras` or trained on the
      training data for `fm_epochs` (default 3, early stopping on the
      validation AUC) — what `tfrank train --config` passes.

    Example:

    >>> from tfrank.data import SyntheticCTR
    >>> from tfrank.models import NFM
    >>> data = SyntheticCTR(seed=0)
    >>> frame = data.sample(256)
    >>> spec = data.feature_spec(embedding_dim=4).fit(frame)
    >>> fm = FM(spec)
    >>> fm.compile()
    >>> _ = fm.fit(frame, epochs=1, batch_size=256, verbose=0)
    >>> model = NFM.from_fm(fm)
    >>> tables = [m.get_layer("embeddings").get_weights()[0] for m in (model, fm)]
    >>> bool((tables[0] == tables[1]).all())
    True
    """

    @classmethod
    def from_fm(cls, fm: FM, **kwargs):
        """A model on `fm`'s feature spec, started from `fm`'s weights."""
        model = cls(fm.feature_spec, **kwargs)
        copy_fm_weights(fm, model)
        return model

    @classmethod
    def for_training(cls, feature_spec, config=None, train_data=None, validation_data=None):
        """`cls(feature_spec, **config)`, or started from an FM (see class doc)."""
        config = dict(config or {})
        fm_dir = config.pop("fm_model_dir", None)
        fm_epochs = int(config.pop("fm_epochs", 3))
        if not (config.pop("pretrain_fm", False) or fm_dir):
            return cls(feature_spec, **config)
        fm = load_or_train_fm(
            feature_spec,
            fm_dir,
            fm_epochs,
            train_data,
            validation_data,
            needed_by=cls.__name__,
            use_crossed=bool(config.get("use_crossed", False)),
        )
        return cls.from_fm(fm, **config)


def copy_fm_weights(fm: FM, model: keras.Model) -> None:
    """Copies `fm`'s factors and first-order term into `model` (in place)."""
    spec = fm.feature_spec
    names = ["embeddings"] if spec.categorical else []
    names += ["numeric_embeddings"] if spec.numeric else []
    for name in names:
        model.get_layer(name).set_weights(fm.get_layer(name).get_weights())
    source, target = fm.get_layer("linear"), model.get_layer("linear")
    if target.id_weights is not None:
        rows = min(source.id_weights.shape[0], target.id_weights.shape[0])
        table = keras.ops.convert_to_numpy(target.id_weights).copy()
        table[:rows] = keras.ops.convert_to_numpy(source.id_weights)[:rows]
        target.id_weights.assign(table)
    if target.num_numeric:
        target.numeric_kernel.assign(source.numeric_kernel)
    if target.use_bias:
        target.bias.assign(source.bias)


def load_or_train_fm(
    feature_spec,
    fm_dir=None,
    fm_epochs=3,
    train_data=None,
    validation_data=None,
    needed_by="This model",
    **fm_kwargs,
) -> FM:
    """The FM saved in `fm_dir` (its inputs must be the spec's), or an
    `FM(feature_spec, **fm_kwargs)` trained on `train_data` for `fm_epochs`
    with early stopping on `validation_data`'s AUC."""
    if fm_dir:
        fm = keras.models.load_model(os.path.join(fm_dir, "model.keras"))
        if not isinstance(fm, FM):
            raise ValueError(f"{fm_dir} holds a {type(fm).__name__}, not an FM.")
        if fm.feature_spec.input_names != feature_spec.input_names:
            raise ValueError(
                f"The FM in {fm_dir} takes {fm.feature_spec.input_names}, "
                f"the data has {feature_spec.input_names}."
            )
        return fm
    if train_data is None:
        raise ValueError(f"{needed_by} needs a trained FM: pass fm_model_dir or training data.")
    fm = FM(feature_spec, **fm_kwargs)
    fm.compile()
    stop = keras.callbacks.EarlyStopping(
        monitor="val_auc", mode="max", patience=1, restore_best_weights=True
    )
    fm.fit(
        train_data,
        validation_data=validation_data,
        epochs=fm_epochs,
        callbacks=[stop] if validation_data is not None else [],
        verbose=0,
    )
    return fm
