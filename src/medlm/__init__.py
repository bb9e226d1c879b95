"""medlm: medical language models for risk, monitoring, treatment and text analysis.

medlm is clinical decision support, not a medical device: every output is meant to be
reviewed by a qualified clinician.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "medlm is clinical decision support, not a medical device; "
    "a qualified clinician must review every output."
)

__all__ = ["DISCLAIMER", "__version__"]
