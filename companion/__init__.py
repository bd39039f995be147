"""Agent Companion domain core: pure Python, no Qt, no ui imports."""

__version__ = "0.1.0"
APP_NAME = "Agent Companion"
APP_ID = "agent-companion"
