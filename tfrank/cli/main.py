"""The `tfrank` command line: argument parsing, printing and exit codes.

Everything it does is a call into the library (`tfrank.training`,
`tfrank.models`); TensorFlow is loaded only after the arguments are parsed,
so `tfrank --help` and argument errors answer at once.
"""

from __future__ import annotations

import argparse
import json
import sys

DATA_HELP = (
    "data spec: synthetic[:N] (default: the model family's synthetic data), a public "
    "format (criteo:, avazu:, frappe:, ml100k:, ncf:, amazon:, taobao:, census:, aliccp: "
    "+PATH) or your own table (csv:PATH, parquet:PATH; what its columns must be depends "
    "on the model's family, see docs/data.md)"
)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose",
        action="store_true",
        help="show TensorFlow's start-up and log lines (also when TF_CPP_MIN_LOG_LEVEL is set)",
    )
    parser = argparse.ArgumentParser(
        prog="tfrank", description="Train, evaluate and export deep ranking models."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    models = commands.add_parser("models", parents=[common], help="list the registered models")
    models.add_argument("--markdown", action="store_true", help="print a Markdown table")

    train = commands.add_parser(
        "train", parents=[common], help="train a model and export it for TF Serving"
    )
    train.add_argument("--model", required=True, help="registered model name (tfrank models)")
    train.add_argument("--data", default="synthetic", help=DATA_HELP)
    train.add_argument(
        "--validation-data",
        help="data spec to validate on (default: held out from --data as the family does)",
    )
    train.add_argument("--epochs", type=int, default=3)
    train.add_argument("--batch-size", type=int, default=1024)
    train.add_argument("--output", help="output dir (default saved_models/MODEL)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--patience",
        type=int,
        default=1,
        help="stop after this many epochs without a better validation metric (AUC; RMSE "
        "for rating models, NDCG@10 for implicit-feedback models) and keep the best epoch "
        "(default 1; 0 or less: train all epochs)",
    )
    train.add_argument(
        "--learning-rate", type=float, help="learning rate of the model's default optimizer"
    )
    train.add_argument(
        "--num-negatives",
        type=int,
        default=4,
        help="implicit-feedback models: sampled negatives per positive, per epoch (default 4)",
    )
    train.add_argument("--features", help="feature spec file (JSON or YAML)")
    train.add_argument(
        "--strategy",
        choices=("default", "mirrored", "multi_worker"),
        default="default",
        help="tf.distribute strategy: mirrored (this host's GPUs) or multi_worker (one "
        "process per host, cluster from TF_CONFIG; worker 0 writes the outputs); "
        "--batch-size is the global batch",
    )
    train.add_argument(
        "--config", help="model constructor arguments, a JSON or YAML file (data only)"
    )
    train.add_argument(
        "--checkpoint-dir",
        help="where the training state is saved after every epoch; a killed run started "
        "again resumes from it (default OUTPUT/checkpoint, deleted when training ends)",
    )
    train.add_argument(
        "--no-checkpoint", action="store_true", help="do not save or resume training state"
    )
    train.add_argument(
        "--checkpoint-every",
        type=int,
        metavar="STEPS",
        help="also save the training state every STEPS steps; a restart resumes at that "
        "step of the epoch, reading on from the same row",
    )
    train.add_argument(
        "--streaming",
        choices=("auto", "always", "never"),
        default="auto",
        help="read files in bounded chunks (prepared once into --cache-dir) instead of "
        "into memory; auto streams files over 256 MB (default auto)",
    )
    train.add_argument(
        "--cache-dir", help="where streamed files are prepared (default ~/.cache/tfrank/prepared)"
    )
    train.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="skip and count malformed rows of streamed files (metrics.json reports the count)",
    )
    train.add_argument("--tensorboard", help="TensorBoard log dir (default OUTPUT/tensorboard)")
    train.add_argument("--no-tensorboard", action="store_true", help="write no TensorBoard logs")

    prepare = commands.add_parser(
        "prepare",
        parents=[common],
        help="read data files once: fit the feature spec and write encoded shards "
        "(train on them with --data prepared:DIR)",
    )
    prepare.add_argument(
        "--data",
        required=True,
        help="files: criteo:, avazu:, csv: or parquet: + a file, a directory or a glob",
    )
    prepare.add_argument("--output", required=True, help="directory for the prepared data")
    prepare.add_argument("--validation-data", help="files to validate on (default: hashed 10%%)")
    prepare.add_argument("--features", help="feature spec file (default: the format's)")
    prepare.add_argument("--labels", default="label", help="label column(s), comma-separated")
    prepare.add_argument("--seed", type=int, default=0, help="seed of the validation split")
    prepare.add_argument("--skip-bad-rows", action="store_true", help="skip and count bad rows")
    prepare.add_argument(
        "--rows-per-shard",
        type=int,
        default=1 << 20,
        help="rows per encoded shard; multi-worker training needs a shard per worker at least",
    )

    evaluate = commands.add_parser("evaluate", parents=[common], help="score a trained model")
    evaluate.add_argument("--model-dir", required=True)
    evaluate.add_argument(
        "--data", help="data spec, read as held-out data (default: the training data's)"
    )
    evaluate.add_argument("--seed", type=int, help="data seed (default: training's)")

    export = commands.add_parser(
        "export", parents=[common], help="export model.keras as a new serving version"
    )
    export.add_argument("--model-dir", required=True)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from tfrank.cli.advice import advice
    from tfrank.cli.startup import load_library
    from tfrank.errors import TrainingDiverged

    try:
        load_library(
            args.verbose, "tfrank.models" if args.command == "models" else "tfrank.training"
        )
        COMMANDS[args.command](args)
    except (ValueError, FileNotFoundError, TrainingDiverged) as error:
        message = " ".join(f"{error} {advice(error)}".split())
        print(f"tfrank {args.command}: error: {message}", file=sys.stderr)
        return 1 if isinstance(error, TrainingDiverged) else 2
    return 0


def _models(args):
    from tfrank.models import model_table

    rows = model_table()
    if args.markdown:
        print("| name | family | what it adds | paper |\n|---|---|---|---|")
        for r in rows:
            print(f"| `{r['name']}` | {r['family']} | {r['summary']} | {r['paper'] or '—'} |")
        return
    width = max(len(r["name"]) for r in rows)
    family = max(len(r["family"]) for r in rows)
    for r in rows:
        summary = r["summary"].replace("`", "")
        paper = f" ({r['paper']})" if r["paper"] else ""
        print(f"{r['name']:<{width}}  {r['family']:<{family}}  {summary}{paper}")


def _train(args):
    from tfrank.training import RunConfig, train

    run = RunConfig(
        args.model,
        data=args.data,
        validation_data=args.validation_data,
        features=args.features,
        model_config=_load_config(args.config),
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        patience=args.patience if args.patience > 0 else None,
        learning_rate=args.learning_rate,
        num_negatives=args.num_negatives,
        strategy=args.strategy,
        output=args.output,
        checkpoint=not args.no_checkpoint,
        checkpoint_dir=args.checkpoint_dir,
        checkpoint_every=args.checkpoint_every,
        streaming=args.streaming,
        cache_dir=args.cache_dir,
        skip_bad_rows=args.skip_bad_rows,
        tensorboard=False if args.no_tensorboard else (args.tensorboard or True),
    )
    metrics = train(run)
    print(json.dumps({k: metrics[k] for k in _SUMMARY if k in metrics}, indent=1))


def _prepare(args):
    from tfrank.data.streaming import prepare_files

    labels = args.labels.split(",")
    data = prepare_files(
        args.data, args.output, args.features, labels[0] if len(labels) == 1 else labels,
        args.validation_data, args.seed, args.skip_bad_rows, rows_per_shard=args.rows_per_shard,
    )  # fmt: skip
    manifest = data.manifest
    summary = {
        "output": args.output,
        "rows": {s: data.rows(s) for s in manifest["splits"]},
        "bad_rows": manifest["bad_rows"],
        "rows_per_second": manifest["rows_per_second"],
    }
    print(json.dumps(summary, indent=1))


def _evaluate(args):
    from tfrank.training import evaluate

    print(json.dumps(evaluate(args.model_dir, args.data, args.seed), indent=1))


def _export(args):
    from tfrank.training import export

    print(export(args.model_dir))


COMMANDS = {"models": _models, "train": _train, "prepare": _prepare, "evaluate": _evaluate,
            "export": _export}  # fmt: skip

_SUMMARY = (
    "model",
    "family",
    "rows",
    "reading",
    "epochs_run",
    "best_epoch",
    "examples_per_second",
    "validation",
    "test",
    "export",
)


def _load_config(path):
    if not path:
        return None
    from tfrank.features.feature_spec import read_data_file

    config = read_data_file(path)
    if not isinstance(config, dict):
        raise ValueError(f"--config {path} must hold a mapping of arguments.")
    return config


if __name__ == "__main__":
    sys.exit(main())
