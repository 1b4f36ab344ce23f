"""Settings from the environment (and an optional `.env` file), read once with pydantic-settings."""

from datetime import timedelta
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.delivery.pace import Limits
from bot.delivery.worker_settings import WorkerSettings
from bot.storage.database import PoolSettings

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

    # Officials (issue 11): the bot's Telegram username for invite deep links (t.me/<name>?start=<code>), and
    # how long an invite code can be redeemed.
    telegram_bot_username: str | None = None
    invite_valid_hours: float = Field(72.0, gt=0)

    # The database connections (PostgreSQL; on SQLite only the timeout applies).
    database_pool_size: int = Field(10, ge=1)
    database_pool_max_overflow: int = Field(10, ge=0)
    database_pool_timeout: float = Field(30.0, gt=0)
    database_connect_timeout: float = Field(10.0, gt=0)
    database_command_timeout: float = Field(60.0, gt=0)

    # Delivery: rate limits (messages per second; 0 lifts a limit), retries and the worker's leases.
    telegram_rate_limit: float = Field(30.0, ge=0)
    telegram_chat_rate_limit: float = Field(1.0, ge=0)
    telegram_chat_burst: int = Field(3, ge=1)
    whatsapp_rate_limit: float = Field(80.0, ge=0)
    delivery_max_attempts: int = Field(8, ge=1)
    delivery_backoff_base: float = Field(2.0, gt=0)
    delivery_backoff_cap: float = Field(600.0, gt=0)
    delivery_lease_seconds: float = Field(60.0, gt=0)
    delivery_batch_size: int = Field(200, ge=1)

    @field_validator(
        "telegram_bot_token",
        "telegram_api_base",
        "telegram_webhook_secret",
        "telegram_webhook_url",
        "telegram_bot_username",
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

    @property
    def pool(self) -> PoolSettings:
        return PoolSettings(
            self.database_pool_size,
            self.database_pool_max_overflow,
            self.database_pool_timeout,
            self.database_connect_timeout,
            self.database_command_timeout,
        )

    def worker(self, process_inbox: bool = True) -> WorkerSettings:
        return WorkerSettings(
            lease=timedelta(seconds=self.delivery_lease_seconds),
            batch_size=self.delivery_batch_size,
            max_attempts=self.delivery_max_attempts,
            backoff_base=self.delivery_backoff_base,
            backoff_cap=self.delivery_backoff_cap,
            limits={
                "telegram": Limits(
                    self.telegram_rate_limit or None, self.telegram_chat_rate_limit or None, self.telegram_chat_burst
                ),
                "whatsapp": Limits(self.whatsapp_rate_limit or None),
            },
            process_inbox=process_inbox,
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
