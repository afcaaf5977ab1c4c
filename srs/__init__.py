"""Wengu's domain: banks, scheduling, rendering and exports, with no web framework in sight."""
