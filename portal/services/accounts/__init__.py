"""Staff accounts: signing in with a password and TOTP, sessions and lockouts (`auth`), creating
and editing staff users (`users`) and hashing and generating passwords (`passwords`). It uses
only the shared base and is used by the auth and admin blueprints; no other domain imports it.
"""
