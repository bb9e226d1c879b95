"""Health monitoring: vital-sign scoring, per-patient streams, alert policy, waveforms."""
