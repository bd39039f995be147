"""Stress resets: breathing patterns, the session state machine, the reset service, vent & shred."""
