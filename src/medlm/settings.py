"""One typed Settings object for medlm, loaded only at entry points (CLI, `create_app`).

Values come from, in order of precedence: keyword arguments, `MEDLM_`-prefixed environment
variables (nested sections use `__`, e.g. `MEDLM_SERVICE__PORT=9000`), an optional TOML file
named by `MEDLM_CONFIG`, and the defaults below. `MEDLM_DATABASE_URL` and `MEDLM_DATA_DIR` are
accepted as short forms of `MEDLM_STORAGE__DATABASE_URL` and `MEDLM_DATA_DIR`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from medlm.errors import ConfigError
from medlm.monitor.glucose.config import GlucoseSettings
from medlm.web.settings import WebSettings


class StorageSettings(BaseModel):
    """Where medlm keeps its database."""

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite file `medlm.sqlite` in the data directory.",
    )
    echo_sql: bool = False


class ServiceSettings(BaseModel):
    """The HTTP service."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    title: str = "medlm"
    freeze_startup_objects: bool = Field(
        default=False,
        description="After start-up, move what it loaded out of the garbage collector's reach "
        "(gc.freeze), so full collections do not pause requests; `medlm serve` turns it on. "
        "Leave off where many apps are built in one process (tests).",
    )


class LMSettings(BaseModel):
    """The language model."""

    default_model: str = "minilm"
    batch_size: int = Field(default=32, ge=1)
    max_length: int = Field(default=256, ge=8)
    num_threads: int | None = Field(default=None, ge=1)
    sentence_role_model: Path | None = Field(
        default=None,
        description="Fine-tuned sentence-role classifier folder (`medlm lm finetune`); the demo "
        "loads it instead of running its short fine-tuning when set.",
    )
    precision: Literal["auto", "fp32", "bf16", "int8"] = Field(
        default="auto",
        description="Inference precision of encoders and classifiers; `auto` measures the "
        "paths on this machine at first use and keeps the fastest within cosine 0.99 of fp32.",
    )
    cache_dir: Path | None = Field(
        default=None,
        description="Folder for the precision choices and int8 exports; default: `cache` in "
        "the data directory.",
    )


class RecordsSettings(BaseModel):
    """The records boundary: how input times and ages of values are judged."""

    clock_skew_minutes: float = Field(
        default=5.0,
        ge=0,
        description="Data timed later than the as-of time by more than this is rejected.",
    )
    freshness_days: dict[str, float] = Field(
        default_factory=dict,
        description="Per-concept override of how old a value may be before it is stale "
        "(concept key -> days); defaults and their sources are in knowledge/concepts.",
    )


class RiskSettings(BaseModel):
    """Disease risk prediction.

    Tier cut-points are per model, chosen on its training data and saved with it
    (`medlm.risk.tiers`): by default low below 0.5x and high from 1.5x the training prevalence
    (`tier_prevalence_multiples`), or a clinical anchor where the model's outcome is the
    anchor's (the Framingham 10-year CHD model: NCEP ATP III 10% / 20%). Setting both
    `tier_low_below` and `tier_high_from` fixes the cut-points of models trained from then on
    instead. A global 10% / 20% for every model put most Pima women (35% have the outcome) and
    almost every UCI-heart patient (55%) in "high".

    `low_confidence_missing_share`: a prediction is flagged low-confidence when at least this
    share of its absolute log-odds contributions comes from inputs the record lacked (imputed).
    """

    tier_low_below: float | None = Field(default=None, gt=0, lt=1)
    tier_high_from: float | None = Field(default=None, gt=0, lt=1)
    tier_prevalence_multiples: tuple[float, float] = Field(
        default=(0.5, 1.5),
        description="Low below the first, high from the second multiple of the training "
        "prevalence (rule 'prevalence').",
    )
    low_confidence_missing_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Flag a prediction low-confidence when imputed inputs carry at least this "
        "share of its absolute log-odds contributions.",
    )
    model_dir: Path | None = Field(
        default=None,
        description="Folder of saved risk models the service loads at start (one sub-folder "
        "per model); default: `risk-models` in the data directory.",
    )
    bootstrap: int = Field(default=1000, ge=100, description="Bootstrap resamples for CIs.")
    importance_rows: int | None = Field(
        default=500,
        ge=1,
        description="A report's global importance averages the contributions of at most this "
        "many rows (a seeded random sample when there are more; None: every row). Integrated "
        "gradients for the lm family cost about 0.8 s per row on 2 cores.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> RiskSettings:
        low, high = self.tier_low_below, self.tier_high_from
        if (low is None) != (high is None):
            raise ValueError("set both risk.tier_low_below and risk.tier_high_from, or neither")
        if low is not None and high is not None and low >= high:
            raise ValueError("risk.tier_low_below must be below risk.tier_high_from")
        m_low, m_high = self.tier_prevalence_multiples
        if not 0 < m_low < 1 < m_high:
            raise ValueError("risk.tier_prevalence_multiples must be one below 1 and one above")
        return self

    @property
    def cutpoints(self) -> tuple[float, float] | None:
        """Fixed cut-points for newly trained models, or None (each model chooses its own)."""
        if self.tier_low_below is None or self.tier_high_from is None:
            return None
        return (self.tier_low_below, self.tier_high_from)


class SecuritySettings(BaseModel):
    """Authentication, encryption keys and de-identification secrets (see docs/privacy.md)."""

    auth_mode: Literal["jwt", "api_key", "both"] = Field(
        default="both", description="Accepted bearer credentials on /v1 routes."
    )
    jwt_secret: SecretStr | None = Field(
        default=None, description="HMAC key (HS256) that signs and verifies JWT bearer tokens."
    )
    jwt_ttl_minutes: int = Field(default=60, ge=1, le=24 * 60)
    dev_no_auth_loopback: bool = Field(
        default=False,
        description="Development only: accept unauthenticated requests from 127.0.0.1/::1 "
        "as an admin. Never enable on a shared host.",
    )
    encryption_key_file: Path | None = Field(
        default=None, description="JSON key ring {key_id: base64 AES-256 key, 'active': key_id}."
    )
    encryption_keys: SecretStr | None = Field(
        default=None, description="Key ring as 'id1:base64key,id2:base64key'; the first is active."
    )
    dev_plaintext_phi: bool = Field(
        default=False,
        description="Development only: with no encryption key configured, store note text and "
        "patient documents as plain JSON instead of refusing. Never enable with real data.",
    )
    cds_trusted_issuers: dict[str, Path] = Field(
        default_factory=dict,
        description="CDS Hooks clients allowed to call /cds-services/{id}: issuer (`iss`) -> "
        "JSON Web Key Set file with its public keys.",
    )
    cds_audience_base: str | None = Field(
        default=None,
        description="Public base URL of this service (e.g. https://cds.example.org); a CDS "
        "client token's `aud` must be this plus /cds-services/{id}. Default: this server's "
        "configured address (http://{service.host}:{service.port}); set it in production.",
    )
    audit_checkpoint_every: int = Field(
        default=100,
        ge=1,
        description="Write a signed audit checkpoint every this many entries; medlm audit "
        "checkpoint writes one on demand.",
    )
    deid_secret: SecretStr = Field(
        default=SecretStr("medlm-local"),
        description="Keys surrogates and date shifts; set a private value in production.",
    )
    deid_ner: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="spaCy person-name recognition in de-identification: 'auto' uses it when "
        "the packaged model is installed (medlm[privacy-ner]), 'on' requires it, 'off' keeps "
        "medlm's rules only.",
    )

    @field_validator("cds_trusted_issuers")
    @classmethod
    def _issuers_fit_the_replay_table(cls, issuers: dict[str, Path]) -> dict[str, Path]:
        # Used token ids are stored per issuer in a 255-character column (used_client_tokens).
        long = [i for i in issuers if len(i) > 255]
        if long:
            raise ValueError(f"CDS issuer identifiers longer than 255 characters: {long}")
        return issuers


class LimitsSettings(BaseModel):
    """Request limits of the HTTP service; a request over one is refused with a clear 4xx."""

    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest request body accepted (413 above)."
    )
    max_json_depth: int = Field(
        default=32, ge=2, description="Deepest nesting of JSON arrays and objects (400 above)."
    )
    max_string_chars: int = Field(
        default=1_000_000, ge=100, description="Longest single JSON string accepted (400 above)."
    )
    max_batch_items: int = Field(
        default=5_000, ge=1, description="Most items in one batch list (vitals, records, texts)."
    )


class MonitorSettings(BaseModel):
    """Monitoring: the per-patient window, trends and the alert policy (vital signs, glucose).

    The defaults are medlm's alert policy (see `medlm.monitor.alerts`): the response levels
    themselves are RCP 2017 Chart 4's and live in knowledge/early_warning; these are the
    operational choices around them (how long state is kept, when to page again)."""

    window_hours: float = Field(
        default=24.0,
        gt=0,
        description="Per-patient window: sets older than this behind the newest are dropped "
        "(bounds memory; the baseline is taken over it).",
    )
    trend_window_hours: float = Field(
        default=6.0, gt=0, description="Window over which a rise of the NEWS2 total is a trend."
    )
    trend_rise: int = Field(
        default=2,
        ge=1,
        description="Rise of the NEWS2 total within the trend window that counts as rising.",
    )
    min_level: int = Field(
        default=2,
        ge=1,
        le=4,
        description="Lowest NEWS2 response level (RCP 2017 Chart 4 rows 0-4) that raises an alert.",
    )
    renotify_after_hours: float = Field(
        default=4.0, gt=0, description="Re-page an unacknowledged alert after this long."
    )
    deescalate_after: int = Field(
        default=2, ge=1, description="Consecutive lower sets before an alert de-escalates."
    )
    alert_on_rising: bool = Field(
        default=True, description="Raise one early 'rising' alert below min_level on a trend."
    )
    glucose: GlucoseSettings = Field(
        default=GlucoseSettings(),
        description="The glucose monitor: sampling interval, gaps, clock skew, history kept and "
        "its alert policy (`MEDLM_MONITOR__GLUCOSE__...`).",
    )

    @model_validator(mode="after")
    def _trend_inside_window(self) -> MonitorSettings:
        if self.trend_window_hours > self.window_hours:
            raise ValueError("monitor.trend_window_hours must not exceed monitor.window_hours")
        return self


class BatchSettings(BaseModel):
    """`medlm batch` defaults: engine, shard and chunk sizes, Ray actors (each has a CLI option)."""

    engine: Literal["local", "ray"] = Field(
        default="local", description="local (no Ray needed) or ray (Ray Data, the ray extra)."
    )
    shard_size: int = Field(default=10_000, ge=1, description="Input records per output part.")
    batch_size: int = Field(default=64, ge=1, description="Records per model call.")
    concurrency: int = Field(default=2, ge=1, description="Ray actors, each loading the model.")


class Settings(BaseSettings):
    """All of medlm's configuration in one place."""

    model_config = SettingsConfigDict(
        env_prefix="MEDLM_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path(".medlm"),
        description="Folder for the database, models and reports medlm writes.",
    )
    debug: bool = False
    storage: StorageSettings = StorageSettings()
    service: ServiceSettings = ServiceSettings()
    lm: LMSettings = LMSettings()
    security: SecuritySettings = SecuritySettings()
    risk: RiskSettings = RiskSettings()
    records: RecordsSettings = RecordsSettings()
    limits: LimitsSettings = LimitsSettings()
    monitor: MonitorSettings = MonitorSettings()
    web: WebSettings = WebSettings()
    batch: BatchSettings = BatchSettings()

    @model_validator(mode="before")
    @classmethod
    def _short_env_names(cls, values: Any) -> Any:
        url = os.environ.get("MEDLM_DATABASE_URL")
        if url and isinstance(values, dict):
            storage = dict(values.get("storage") or {})
            storage.setdefault("database_url", url)
            values["storage"] = storage
        return values

    @property
    def database_url(self) -> str:
        """The effective database URL (SQLite in the data directory unless configured)."""
        if self.storage.database_url:
            return self.storage.database_url
        return f"sqlite:///{(self.data_dir / 'medlm.sqlite').resolve()}"

    @property
    def risk_model_dir(self) -> Path:
        """The folder of saved risk models (`medlm risk train` saves there, the service loads
        from there): `risk.model_dir`, else `risk-models` in the data directory."""
        return self.risk.model_dir or self.data_dir / "risk-models"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("MEDLM_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    """Load settings from the environment and optional TOML file; for entry points only.

    A missing or malformed configuration file, or an invalid value, is a `ConfigError` that
    names the file or the setting.
    """
    config_file = os.environ.get("MEDLM_CONFIG")
    if config_file and not Path(config_file).is_file():
        raise ConfigError(f"MEDLM_CONFIG names {config_file!r}, which is not a file")
    try:
        return Settings(**overrides)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"MEDLM_CONFIG file {config_file!r} is not valid TOML: {exc}") from exc
