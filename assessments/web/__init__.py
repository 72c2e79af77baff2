"""The web layer's plumbing: middleware (language, no-store, forced password change,
development error pages), the handlers of refusals (403, CSRF, audited), and the
navigation's flags."""
