"""`GlucoseReading`: one glucose value of one patient in mg/dL, with the kind of sample."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

GlucoseSource = Literal["cgm", "capillary", "venous", "plasma", "blood", "unknown"]
"""Where the value was measured: a continuous glucose monitor (interstitial fluid), a point-of-care
meter (capillary blood), or a laboratory (venous whole blood, serum/plasma, unspecified blood)."""


class GlucoseReading(BaseModel):
    """A glucose value as the monitor sees it: converted to mg/dL at the records boundary."""

    model_config = ConfigDict(frozen=True)

    patient_id: str = Field(min_length=1, max_length=64)
    time: AwareDatetime
    mg_dl: float = Field(gt=0, description="Glucose in mg/dL (converted from mmol/L if needed).")
    source: GlucoseSource = "unknown"
    reported: str | None = Field(
        default=None, description="The value as given, with its unit (e.g. '3.1 mmol/L')."
    )
    origin: str | None = Field(
        default=None, description="Where it was read from (line number, resource id), for errors."
    )
