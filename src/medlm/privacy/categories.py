"""PHI labels and their HIPAA Safe Harbor identifier categories (45 CFR 164.514(b)(2)(i))."""

from __future__ import annotations

from enum import StrEnum


class PhiLabel(StrEnum):
    """The label a PHI span carries (`medlm.records.Span.label`)."""

    NAME = "NAME"
    STREET = "STREET"
    CITY = "CITY"
    COUNTY = "COUNTY"
    ZIP = "ZIP"
    DATE = "DATE"
    AGE = "AGE"
    PHONE = "PHONE"
    FAX = "FAX"
    EMAIL = "EMAIL"
    SSN = "SSN"
    MRN = "MRN"
    HEALTH_PLAN = "HEALTH_PLAN"
    ACCOUNT = "ACCOUNT"
    LICENSE = "LICENSE"
    VEHICLE = "VEHICLE"
    DEVICE = "DEVICE"
    URL = "URL"
    IP = "IP"
    BIOMETRIC = "BIOMETRIC"
    PHOTO = "PHOTO"
    ID = "ID"


HIPAA_CATEGORY: dict[PhiLabel, str] = {
    PhiLabel.NAME: "A names",
    PhiLabel.STREET: "B geographic",
    PhiLabel.CITY: "B geographic",
    PhiLabel.COUNTY: "B geographic",
    PhiLabel.ZIP: "B geographic",
    PhiLabel.DATE: "C dates and ages over 89",
    PhiLabel.AGE: "C dates and ages over 89",
    PhiLabel.PHONE: "D telephone",
    PhiLabel.FAX: "E fax",
    PhiLabel.EMAIL: "F email",
    PhiLabel.SSN: "G social security",
    PhiLabel.MRN: "H medical record",
    PhiLabel.HEALTH_PLAN: "I health plan",
    PhiLabel.ACCOUNT: "J account",
    PhiLabel.LICENSE: "K certificate/licence",
    PhiLabel.VEHICLE: "L vehicle",
    PhiLabel.DEVICE: "M device",
    PhiLabel.URL: "N URL",
    PhiLabel.IP: "O IP address",
    PhiLabel.BIOMETRIC: "P biometric",
    PhiLabel.PHOTO: "Q full-face photograph",
    PhiLabel.ID: "R other unique code",
}
"""Every label's Safe Harbor category letter and name; evaluation reports per category."""
