"""Glucose monitoring: point-of-care and CGM readings, alerts, consensus CGM metrics."""
