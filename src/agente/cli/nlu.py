"""``agente nlu train|evaluate``: the intent model, rebuilt and measured."""

from __future__ import annotations

from pathlib import Path

import click

from agente.cli.settings import load_settings


@click.group()
def nlu() -> None:
    """The intent model: rebuild it, and measure it on the held-out data."""


@nlu.command("train")
def nlu_train() -> None:
    """Retrain the intent model from the packaged examples and store it in the model cache."""
    from agente.conversation.nlu.intents import load_or_train

    settings = load_settings()
    cache = settings.nlu_model_dir or settings.data_dir / "nlu"
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob("intents-*.joblib"):
        old.unlink()
    classifier = load_or_train(cache)
    click.echo(f"trained in {classifier.training_seconds:.2f}s; model cached in {cache}")


@nlu.command("evaluate")
@click.option("--heldout", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds (0 skips it).")
def nlu_evaluate(heldout: Path | None, folds: int) -> None:
    """Per-intent precision/recall on the held-out set, cross-validated accuracy, entity accuracy."""
    from agente.conversation.nlu.entities.evaluate import evaluate_entities, format_entity_report
    from agente.conversation.nlu.evaluation import evaluate, format_report

    click.echo(format_report(evaluate(heldout, cv_folds=folds)))
    click.echo()
    click.echo(format_entity_report(evaluate_entities()))
