"""``agente chat`` (the conversation in a terminal) and ``agente nlu train|evaluate``."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

import click

from agente.config import Settings
from agente.container import build_container
from agente.observability.logging import configure_logging


def _settings() -> Settings:
    from agente.cli import load_settings  # the one place that turns bad settings into a message

    return load_settings()


@click.command()
@click.option("--guest", default=None, help="Guest id (default: a new one per run).")
@click.option("--language", type=click.Choice(["es", "en"]), default=None)
def chat(guest: str | None, language: str | None) -> None:
    """Talk to the agent in this terminal, as a guest would on the web chat. Ctrl-D ends."""
    settings = _settings()
    configure_logging("WARNING", stream=sys.stderr)
    guest_id = guest or f"terminal-{uuid.uuid4().hex[:8]}"

    async def run() -> None:
        async with build_container(settings) as container:
            await container.facts.seed_if_empty()
            loop = asyncio.get_running_loop()
            while True:
                line = await loop.run_in_executor(None, _prompt)
                if line is None:
                    return
                if not line.strip():
                    continue
                reply = await container.conversations.handle(
                    channel="api", external_id=guest_id, text=line[: settings.message_max_chars], language=language
                )
                click.echo(reply.text if reply.text else "(staff will answer this conversation)")

    asyncio.run(run())


def _prompt() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None


@click.group()
def nlu() -> None:
    """The intent model: rebuild it, and measure it on the held-out data."""


@nlu.command("train")
def nlu_train() -> None:
    """Retrain the intent model from the packaged examples and store it in the model cache."""
    from agente.conversation.nlu.intents import load_or_train

    settings = _settings()
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
