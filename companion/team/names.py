"""Moved to :mod:`companion.names` (the config layer validates names too, and must not import ``team/``).

Kept only for ``companion.team.provision`` until the hub branch is merged; new code imports companion.names.
"""
from companion.names import MAX_NAME, validate_name

__all__ = ["MAX_NAME", "validate_name"]
