"""The `tfrank` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tfrank", description="Train, evaluate and export deep ranking models."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("models", help="list registered model names")

    train = commands.add_parser("train", help="train a model and export it for TF Serving")
    train.add_argument("--model", required=True, help="registered model name (tfrank models)")
    train.add_argument(
        "--data",
        default="synthetic",
        help="synthetic[:ROWS] (default), criteo:PATH, avazu:PATH, frappe:PATH, csv:PATH, "
        "parquet:PATH; behaviour models: amazon:PATH[:NAME], taobao:PATH; multi-task: "
        "census:PATH, aliccp:PATH; rating models: ml100k:PATH[:FOLD]; gmf/ncf_mlp/neumf: "
        "synthetic[:USERS] or ncf:PATH",
    )
    train.add_argument(
        "--validation-data", help="data spec to validate on (default: 10%% of --data)"
    )
    train.add_argument("--epochs", type=int, default=3)
    train.add_argument("--batch-size", type=int, default=1024)
    train.add_argument("--output", help="output dir (default saved_models/MODEL)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--patience",
        type=int,
        default=1,
        help="stop after this many epochs without a better validation AUC (NDCG@10 for "
        "implicit-feedback models) and keep the "
        "best epoch (default 1; 0 or less: train all epochs)",
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

    evaluate = commands.add_parser("evaluate", help="score a trained model on data")
    evaluate.add_argument("--model-dir", required=True)
    evaluate.add_argument("--data", required=True)
    evaluate.add_argument("--seed", type=int, help="synthetic data seed (default: training's)")

    export = commands.add_parser("export", help="export model.keras as a new serving version")
    export.add_argument("--model-dir", required=True)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tfrank.cli import training
    from tfrank.cli.checkpointing import TrainingDiverged
    from tfrank.registry import list_models

    try:
        if args.command == "models":
            print("\n".join(list_models()))
        elif args.command == "train":
            metrics = training.train(
                args.model,
                data=args.data,
                validation_data=args.validation_data,
                epochs=args.epochs,
                batch_size=args.batch_size,
                output=args.output,
                seed=args.seed,
                features=args.features,
                config=_load_config(args.config),
                patience=args.patience if args.patience > 0 else None,
                learning_rate=args.learning_rate,
                num_negatives=args.num_negatives,
                strategy=args.strategy,
                checkpoint=not args.no_checkpoint,
                checkpoint_dir=args.checkpoint_dir,
            )
            print(json.dumps({k: metrics[k] for k in _SUMMARY if k in metrics}, indent=1))
        elif args.command == "evaluate":
            print(json.dumps(training.evaluate(args.model_dir, args.data, args.seed), indent=1))
        elif args.command == "export":
            print(training.export(args.model_dir))
    except (ValueError, FileNotFoundError, TrainingDiverged) as error:
        print(f"tfrank {args.command}: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1 if isinstance(error, TrainingDiverged) else 2
    return 0


_SUMMARY = (
    "model",
    "rows",
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
