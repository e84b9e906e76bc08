"""Training data that streams: when to stream, and the layout of a streamed run."""

from __future__ import annotations

import dataclasses
import os
import sys

import tensorflow as tf

from tfrank.data.streaming.prepare import StreamSource, cache_key, prepare_data
from tfrank.data.streaming.prepared_data import PreparedData
from tfrank.data.streaming.shards import list_shards, total_bytes
from tfrank.data.training_data import TrainingData

MODES = ("auto", "always", "never")
# Files (all shards together) up to this size are read into memory by "auto".
IN_MEMORY_LIMIT = 256 << 20


@dataclasses.dataclass
class StreamSettings:
    """How a run reads file data.

    Attributes:
        mode: `"auto"` streams files larger than `in_memory_limit` bytes
            (together) and reads smaller ones into memory, where training is
            as fast and starts sooner; `"always"` / `"never"` force one.
        cache_dir: where prepared (encoded) data is kept and reused,
            keyed by the files, the spec and the split (default
            `$TFRANK_CACHE/prepared`, `TFRANK_CACHE` defaulting to
            `~/.cache/tfrank`).
        skip_bad_rows: skip and count malformed rows instead of failing.
        in_memory_limit: bytes of files `"auto"` still reads into memory
            (default `IN_MEMORY_LIMIT`, 256 MiB: about a million Criteo rows).
        block_rows: rows per encoded block (the unit of shuffling).
        verbose: print progress of passes over the files.
    """

    mode: str = "auto"
    cache_dir: str | None = None
    skip_bad_rows: bool = False
    in_memory_limit: int | None = None
    block_rows: int = 256
    verbose: int = 1

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"streaming must be one of {MODES}. Received: {self.mode!r}")

    def streams(self, kind, argument: str) -> bool:
        """Whether data of `kind` (a `SourceKind`) at `argument` is streamed."""
        if kind.stream is None or self.mode == "never":
            return False
        if self.mode == "always":
            return True
        limit = IN_MEMORY_LIMIT if self.in_memory_limit is None else self.in_memory_limit
        return total_bytes(list_shards(argument)) > limit

    @property
    def cache_root(self) -> str:
        if self.cache_dir:
            return self.cache_dir
        root = os.environ.get("TFRANK_CACHE") or os.path.join("~", ".cache", "tfrank")
        return os.path.join(os.path.expanduser(root), "prepared")


def open_prepared(data, validation_data, spec, labels, kinds, seed, settings) -> PreparedData:
    """The prepared data of a run: `prepared:DIR` as it is, or file specs
    prepared once into the cache (and reused while files, spec and split
    are unchanged)."""
    if isinstance(data, PreparedData):
        return data
    source = _stream_source(data, kinds)
    validation = _stream_source(validation_data, kinds) if validation_data else None
    key = cache_key(source, validation, spec, labels, 0.1, seed, settings.skip_bad_rows,
                    settings.block_rows)  # fmt: skip
    directory = os.path.join(settings.cache_root, key)
    if os.path.isfile(os.path.join(directory, "manifest.json")):
        if settings.verbose:
            print(f"data: reusing the prepared data in {directory}", file=sys.stderr)
        return PreparedData(directory)
    if settings.verbose:
        print(f"data: streaming {len(source.shards)} file(s) "
              f"({total_bytes(source.shards) / 1e9:.2f} GB); preparing them once in "
              f"{directory}", file=sys.stderr)  # fmt: skip
    os.makedirs(settings.cache_root, exist_ok=True)
    return prepare_data(source, spec, labels, directory, validation, seed=seed,
                        skip_bad_rows=settings.skip_bad_rows, block_rows=settings.block_rows,
                        verbose=settings.verbose)  # fmt: skip


def prepare_streaming(family, data, validation_data, features, config, batch_size, seed,
                      stream) -> TrainingData:  # fmt: skip
    """`RankingModel.prepare_training` for streamed data: `data` a file spec
    of a streamable kind of `family.data_sources` (prepared once into the
    cache) or `prepared:DIR`; labels as the family takes them."""
    from tfrank.data.data_source import DataSource
    from tfrank.metrics.scoring import score_dataset

    kind_name, _, argument = data.partition(":")
    kind = family.data_sources[kind_name]
    if kind_name == "prepared":
        prepared = PreparedData(argument)
        label = family.label_of(DataSource(None, prepared.spec, name=data), config)
        if ([label] if isinstance(label, str) else list(label)) != prepared.labels:
            raise ValueError(f"{data!r} holds labels {prepared.labels}; this run needs {label}.")
    else:
        spec = _declared_spec(features, kind, data)
        label = family.label_of(DataSource(None, spec, name=data), config)
        if validation_data is not None and not isinstance(validation_data, str):
            raise ValueError("Streamed data validates on a data spec of files (or held-out rows).")
        prepared = open_prepared(data, validation_data, spec, label, family.data_sources, seed,
                                 stream)  # fmt: skip
    return streaming_training(prepared, batch_size, seed, score_dataset)


def _declared_spec(features, kind, data: str):
    """The unfitted spec: `features` (a `FeatureSpec` or a spec file), else
    the kind's default; none at all is `MissingFeatureSpec`."""
    from tfrank.errors import MissingFeatureSpec
    from tfrank.features.feature_spec import FeatureSpec

    if isinstance(features, FeatureSpec):
        spec = features
    elif features:
        spec = FeatureSpec.load(features)
    else:
        spec = kind.feature_spec() if kind.feature_spec else FeatureSpec([])
    if not spec.features:
        raise MissingFeatureSpec(data)
    return spec


def _stream_source(spec: str, kinds) -> StreamSource:
    kind, _, argument = spec.partition(":")
    source = kinds.get(kind)
    if source is None or source.stream is None:
        raise ValueError(f"Data spec {spec!r} cannot be streamed; files of kinds "
                         f"{[k for k, v in kinds.items() if v.stream]} can.")  # fmt: skip
    return StreamSource(source.stream, list_shards(argument), spec)


def streaming_training(prepared: PreparedData, batch_size: int, seed: int, score) -> TrainingData:
    """The layout of a streamed run: shuffled training batches whose order
    is a function of `(seed, epoch)` and can start at any row (mid-epoch
    resume), validation batches, and `score(model, dataset, predict)` on
    the validation rows (`score`: `tfrank.metrics.score_dataset`)."""
    epoch = tf.Variable(0, dtype=tf.int64, trainable=False)

    def train_from(rows=0):
        return prepared.dataset("train", batch_size, shuffle=True, seed=seed, epoch=epoch,
                                skip_rows=rows)  # fmt: skip

    def evaluate(model, predict=None):
        batches = prepared.dataset("validation", batch_size)
        return {"validation": score(model, batches, predict=predict)}

    def worker_batches(worker, workers, per_replica_batch, data_epoch):
        files = prepared.worker_files("train", worker, workers)
        return prepared.dataset("train", per_replica_batch, shuffle=True, seed=seed,
                                epoch=data_epoch, files=files)  # fmt: skip

    def worker_steps(workers, global_batch):
        per_worker = global_batch // workers
        return min(prepared.worker_rows("train", w, workers) for w in range(workers)) // per_worker

    manifest = prepared.manifest
    validation = prepared.dataset("validation", batch_size)
    return TrainingData(
        spec=prepared.spec, train=train_from(0), validation=validation,
        data_epoch=epoch, evaluate=evaluate, example_frame=prepared.example_frame(),
        rows={"train": prepared.rows("train"), "validation": prepared.rows("validation")},
        examples_per_epoch=prepared.rows("train"), name=manifest["source"],
        validation_name=manifest["validation_source"] or "hashed 10% of rows",
        train_from=train_from, worker_batches=worker_batches, worker_steps=worker_steps,
        reading={"mode": "streaming", "prepared": prepared.directory,
                 "bad_rows": manifest["bad_rows"], "prepare_seconds": manifest["seconds"],
                 "prepare_rows_per_second": manifest["rows_per_second"],
                 "spec_fit_exact": manifest["spec_fit_exact"]},
    )  # fmt: skip


def prepare_files(
    data: str, output: str, features=None, labels="label", validation_data: str | None = None,
    seed: int = 0, skip_bad_rows: bool = False, block_rows: int = 256,
    rows_per_shard: int = 1 << 20, verbose: int = 1,
) -> PreparedData:  # fmt: skip
    """Prepares file data once (`tfrank prepare`): `data` is a data spec of
    files (`criteo:`, `avazu:`, `csv:`, `parquet:` + a file, directory or
    glob); `features` a `FeatureSpec` or spec file (default: the kind's);
    `labels` the label column(s); `rows_per_shard` rows per encoded shard
    (a multi-worker run needs at least a shard per worker). Train with
    `data="prepared:OUTPUT"`; each worker of a multi-worker run then reads
    only its own shards.

    Example:

    >>> import os, tempfile
    >>> from tfrank.data import SyntheticCTR
    >>> folder = tempfile.mkdtemp()
    >>> generator = SyntheticCTR(seed=0)
    >>> generator.sample(400).to_parquet(f"{folder}/rows.parquet")
    >>> generator.feature_spec().save(f"{folder}/spec.json")
    >>> data = prepare_files(f"parquet:{folder}/rows.parquet", f"{folder}/prepared",
    ...                      features=f"{folder}/spec.json", verbose=0)
    >>> data.rows("train") + data.rows("validation"), data.labels
    (400, ['label'])
    """
    from tfrank.data.sources import CTR_SOURCES, MULTITASK_SOURCES

    kinds = {**MULTITASK_SOURCES, **CTR_SOURCES}
    source = _stream_source(data, kinds)
    spec = _declared_spec(features, kinds[data.partition(":")[0]], data)
    validation = _stream_source(validation_data, kinds) if validation_data else None
    return prepare_data(source, spec, labels, output, validation, seed=seed,
                        skip_bad_rows=skip_bad_rows, block_rows=block_rows,
                        rows_per_shard=rows_per_shard, verbose=verbose)  # fmt: skip
