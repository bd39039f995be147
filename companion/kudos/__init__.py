"""Kudos: peer recognition in the five H.E.A.R.T. categories, the team feed and the weekly Service Stars."""
