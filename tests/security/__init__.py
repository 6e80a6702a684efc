"""Security tests: authentication, body limits, proxy headers, untrusted text and personal data in logs."""
