"""Signing in and sessions: lockout after failed sign-ins (django-axes), the sign-in audit,
the second factor (django-otp TOTP) with its enrolment, idle session timeout, and the
password policy. It builds on gis_core (users and roles) and no other app imports it."""
