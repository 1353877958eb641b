"""Findings pages, by sub-domain: findings and moderation; success criteria and next steps."""
