"""Jinja2 templates of issues, notes and replies, shipped inside the package."""
