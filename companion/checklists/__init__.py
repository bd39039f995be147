"""Moment of Truth checklists: templates (import/export), de-escalation cards."""
