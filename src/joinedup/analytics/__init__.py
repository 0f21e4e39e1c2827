"""Indicator statistics and charts for locality profiles, over the analysis base."""
