"""Joldas: the machinery (configuration, engine, channels, storage, i18n, CLI)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
