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

    whatsapp_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_api_base: str | None = None
    # Approved message templates for notices outside the 24-hour window: `name:language_code` per language.
    whatsapp_template_kk: str | None = None
    whatsapp_template_ru: str | None = None
    whatsapp_template_ky: str | None = None

    console_files_dir: str = "joldas-files"

    @field_validator(
        "telegram_bot_token",
        "telegram_api_base",
        "telegram_webhook_secret",
        "telegram_webhook_url",
        "whatsapp_token",
        "whatsapp_phone_number_id",
        "whatsapp_app_secret",
        "whatsapp_verify_token",
        "whatsapp_api_base",
        "whatsapp_template_kk",
        "whatsapp_template_ru",
        "whatsapp_template_ky",
        mode="before",
    )
    @classmethod
    def _empty_is_absent(cls, value: str | None) -> str | None:
        """An empty variable in `.env` means the setting is absent, so its channel is not started."""
        return value or None

    @field_validator("whatsapp_template_kk", "whatsapp_template_ru", "whatsapp_template_ky")
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        if value is not None and not all(part.strip() for part in value.partition(":")[::2]):
            raise ValueError("expected `template_name:language_code`, e.g. joldas_notice:kk")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def whatsapp_enabled(self) -> bool:
        return self.whatsapp_token is not None and self.whatsapp_phone_number_id is not None

    @property
    def whatsapp_templates(self) -> dict[str, tuple[str, str]]:
        """{"kk": ("joldas_notice", "kk"), ...} for each language whose template is configured."""
        configured = {"kk": self.whatsapp_template_kk, "ru": self.whatsapp_template_ru, "ky": self.whatsapp_template_ky}
        return {
            language: (name.strip(), code.strip())
            for language, value in configured.items()
            if value
            for name, _, code in [value.partition(":")]
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
