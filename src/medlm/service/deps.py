"""FastAPI dependencies: the one way routers reach the app's services; tests override them.

Each getter reads the `AppServices` the lifespan built (`medlm.service.services`). Override one
service in a test with `app.dependency_overrides[get_recommender] = lambda: fake`.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request

from medlm.monitor.glucose.store import DurableGlucose
from medlm.privacy.audit import AuditLog
from medlm.privacy.credentials import CredentialStore
from medlm.privacy.detector import PhiDetector
from medlm.risk import DiseaseRiskPredictor
from medlm.service.services import AppServices, VitalsService, services_of
from medlm.settings import Settings
from medlm.text import MedicalTextAnalyzer
from medlm.text.abstract_roles import ConfiguredRoleModel
from medlm.treatment import TreatmentRecommender


def get_services(request: Request) -> AppServices:
    """The app's services (built once, before the app serves)."""
    return services_of(request.app)


ServicesDep = Annotated[AppServices, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    """The Settings the app was created with."""
    return services.settings


def get_engine(services: ServicesDep) -> sa.Engine:
    """The app's one database engine."""
    return services.engine


def get_vitals(services: ServicesDep) -> VitalsService:
    """The durable vital-sign monitor and its lock."""
    return services.vitals


def get_glucose(services: ServicesDep) -> DurableGlucose:
    """The durable glucose monitor (its alerts share the vital-sign alert table)."""
    return services.glucose


def get_risk_models(services: ServicesDep) -> dict[str, DiseaseRiskPredictor]:
    """The saved risk models loaded at start, by name."""
    return services.risk_models


def get_recommender(services: ServicesDep) -> TreatmentRecommender:
    """The treatment recommender (knowledge and drug dictionary loaded)."""
    return services.recommender


def get_analyzer(services: ServicesDep) -> MedicalTextAnalyzer:
    """The text analyzer (its dictionaries load once per process, on first use)."""
    return services.text_analyzer


def get_role_model(services: ServicesDep) -> ConfiguredRoleModel | None:
    """The configured sentence-role model, or None (roles then come from headings only)."""
    return services.role_model


def get_audit(services: ServicesDep) -> AuditLog:
    """The audit log."""
    return services.audit


def get_credentials(services: ServicesDep) -> CredentialStore:
    """The credential store (users, API keys, revoked tokens)."""
    return services.credentials


def get_phi_detector(services: ServicesDep) -> PhiDetector:
    """The PHI detector of `security.deid_ner`."""
    return services.phi_detector


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[sa.Engine, Depends(get_engine)]
VitalsDep = Annotated[VitalsService, Depends(get_vitals)]
GlucoseDep = Annotated[DurableGlucose, Depends(get_glucose)]
ModelsDep = Annotated[dict[str, DiseaseRiskPredictor], Depends(get_risk_models)]
RecommenderDep = Annotated[TreatmentRecommender, Depends(get_recommender)]
AnalyzerDep = Annotated[MedicalTextAnalyzer, Depends(get_analyzer)]
RoleModelDep = Annotated[ConfiguredRoleModel | None, Depends(get_role_model)]
AuditDep = Annotated[AuditLog, Depends(get_audit)]
CredentialsDep = Annotated[CredentialStore, Depends(get_credentials)]
PhiDetectorDep = Annotated[PhiDetector, Depends(get_phi_detector)]
