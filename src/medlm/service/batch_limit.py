"""The batch-size limit of the service's list inputs (`limits.max_batch_items`)."""

from __future__ import annotations

from fastapi import HTTPException

from medlm.settings import LimitsSettings

SETTING = "limits.max_batch_items, setting MEDLM_LIMITS__MAX_BATCH_ITEMS"


def check_batch(count: int, limits: LimitsSettings, what: str) -> None:
    """413 naming the limit and its setting when `count` items of `what` exceed it."""
    if count > limits.max_batch_items:
        raise HTTPException(
            status_code=413,
            detail=f"{what}: {count} items, more than the limit of {limits.max_batch_items} "
            f"per request ({SETTING})",
        )
