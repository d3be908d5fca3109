"""Authentication hardening (security.md "Authentication", 等保 2.0 level 3)."""
