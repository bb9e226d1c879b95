"""The service's composition root: `AppServices`, everything the routers use, built once.

`build_services(settings)` opens the one database engine, runs the migrations once (under the
lock of `medlm.storage.migrate.upgrade`), and builds the credential store, the audit log, the
vital-sign and glucose durable monitors (their windows rebuilt from the database), the saved
risk models, the treatment recommender, the text analyzer and the PHI detector. `create_app`'s
lifespan calls it before the app serves and `AppServices.close()` disposes the engine at
shutdown. Routers receive the services through `medlm.service.deps`, never build them.

A new capability adds one attribute here and one getter in `deps.py`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from medlm.errors import MedlmError
from medlm.monitor.alerts import AlertPolicy
from medlm.monitor.glucose.store import DurableGlucose
from medlm.monitor.store import DurableMonitor
from medlm.monitor.stream import VitalSignMonitor
from medlm.privacy.audit import AuditKeys, AuditLog
from medlm.privacy.credentials import CredentialStore
from medlm.privacy.detector import PhiDetector
from medlm.risk import DiseaseRiskPredictor
from medlm.settings import Settings
from medlm.text import MedicalTextAnalyzer
from medlm.text.abstract_roles import ConfiguredRoleModel, load_configured_role_model
from medlm.treatment import TreatmentRecommender

logger = logging.getLogger(__name__)


@dataclass
class VitalsService:
    """The app's durable vital-sign monitor, with the lock that serializes its use (the
    monitor's in-memory state is not thread-safe)."""

    durable: DurableMonitor
    clock_skew_minutes: float
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class AppServices:
    """Everything the routers use, built once per app (one attribute per service)."""

    settings: Settings
    engine: sa.Engine
    credentials: CredentialStore
    audit: AuditLog
    vitals: VitalsService
    glucose: DurableGlucose
    risk_models: dict[str, DiseaseRiskPredictor]
    recommender: TreatmentRecommender
    text_analyzer: MedicalTextAnalyzer
    phi_detector: PhiDetector
    role_model: ConfiguredRoleModel | None = None

    def close(self) -> None:
        """Release the database connections (at shutdown)."""
        self.engine.dispose()


def model_folder(settings: Settings) -> Path:
    """Where saved risk models are looked for (one sub-folder per model)."""
    return settings.risk_model_dir


def load_models(settings: Settings) -> dict[str, DiseaseRiskPredictor]:
    """Every saved model under the model folder, by folder name; bad folders are logged."""
    from medlm.risk.persist import META_FILE

    folder = model_folder(settings)
    models: dict[str, DiseaseRiskPredictor] = {}
    if not folder.is_dir():
        return models
    for path in sorted(p for p in folder.iterdir() if (p / META_FILE).is_file()):
        try:
            model = DiseaseRiskPredictor.load(path)
        except MedlmError as exc:
            logger.error("risk model %s not loaded: %s", path.name, exc)
            continue
        model.low_confidence_missing_share = settings.risk.low_confidence_missing_share
        models[path.name] = model
    return models


def audit_log(settings: Settings, engine: sa.Engine) -> AuditLog:
    """The audit log on `engine`, keyed from the key ring when one is configured, with a signed
    checkpoint every `security.audit_checkpoint_every` entries (the one place the service
    constructs it)."""
    security = settings.security
    return AuditLog(
        engine,
        keys=AuditKeys.from_settings(security),
        checkpoint_every=security.audit_checkpoint_every,
    )


def vitals_service(settings: Settings, engine: sa.Engine) -> VitalsService:
    """The durable monitor with the window, trend and alert policy of `settings.monitor`, its
    per-patient state rebuilt from the database."""
    section = settings.monitor
    skew = settings.records.clock_skew_minutes
    monitor = VitalSignMonitor(
        window=timedelta(hours=section.window_hours),
        trend_window=timedelta(hours=section.trend_window_hours),
        trend_rise=section.trend_rise,
        clock_skew=timedelta(minutes=skew),
    )
    policy = AlertPolicy(
        min_level=section.min_level,
        renotify_after=timedelta(hours=section.renotify_after_hours),
        deescalate_after=section.deescalate_after,
        alert_on_rising=section.alert_on_rising,
    )
    durable = DurableMonitor(engine, monitor=monitor, policy=policy)
    durable.restore()
    return VitalsService(durable=durable, clock_skew_minutes=skew)


def treatment_recommender(settings: Settings) -> TreatmentRecommender:
    """The recommender with its knowledge and drug dictionary loaded, so hooks answer warm."""
    from medlm.treatment.who_eml import load_who_categories

    recommender = TreatmentRecommender(
        pregnancy_categories=load_who_categories(),
        freshness_days=settings.records.freshness_days,
    )
    recommender.matcher.load()
    return recommender


def role_model(settings: Settings) -> ConfiguredRoleModel | None:
    """The sentence-role model of `lm.sentence_role_model` (None when unset); a folder that
    does not load is logged and left out, like a bad risk model."""
    try:
        return load_configured_role_model(
            settings.lm.sentence_role_model,
            precision=settings.lm.precision,
            cache_dir=settings.lm.cache_dir or settings.data_dir / "cache",
        )
    except MedlmError as exc:
        logger.error("sentence-role model not loaded: %s", exc)
        return None


def build_services(settings: Settings) -> AppServices:
    """Open the database, migrate it once and load every service (see the module docstring)."""
    from medlm.storage.engine import make_engine
    from medlm.storage.migrate import upgrade

    engine = make_engine(settings)
    try:
        upgrade(engine)
        services = AppServices(
            settings=settings,
            engine=engine,
            credentials=CredentialStore(engine),
            audit=audit_log(settings, engine),
            vitals=vitals_service(settings, engine),
            glucose=DurableGlucose.from_settings(engine, settings.monitor.glucose),
            risk_models=load_models(settings),
            recommender=treatment_recommender(settings),
            text_analyzer=MedicalTextAnalyzer(),
            phi_detector=PhiDetector.from_setting(settings.security.deid_ner),
            role_model=role_model(settings),
        )
    except BaseException:
        engine.dispose()
        raise
    logger.info("services ready: %d risk models", len(services.risk_models))
    return services


def services_of(app: Any) -> AppServices:
    """The app's services. The lifespan builds them before the app serves; an ASGI host that
    skips the lifespan (an in-process client not entered as a context) gets them built here
    once, under the app's lock, so no request ever sees half-built services."""
    state = app.state
    services = getattr(state, "services", None)
    if isinstance(services, AppServices):
        return services
    with state.services_lock:
        services = getattr(state, "services", None)
        if not isinstance(services, AppServices):
            services = build_services(state.settings)
            state.services = services
    return services
