"""Settings from the environment (and an optional `.env` file), read once with pydantic-settings."""

from functools import lru_cache
from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

UserLanguage = Literal["kk", "ru", "ky"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///joldas.db"
    default_language: UserLanguage = "kk"
    log_level: str = "INFO"

    telegram_bot_token: str | None = None
    telegram_api_base: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_webhook_url: str | None = None

    console_files_dir: str = "joldas-files"

    @field_validator(
        "telegram_bot_token", "telegram_api_base", "telegram_webhook_secret", "telegram_webhook_url", mode="before"
    )
    @classmethod
    def _empty_is_absent(cls, value: str | None) -> str | None:
        """An empty variable in `.env` means the setting is absent, so its channel is not started."""
        return value or None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None


@lru_cache
def get_settings() -> Settings:
    return Settings()
