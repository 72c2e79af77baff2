"""Password hashing at OWASP's recommended Argon2id parameters.

Django's own Argon2 hasher defaults to 100 MiB and 8 lanes; OWASP's Password Storage Cheat
Sheet names m=19 MiB, t=2, p=1 as a minimum that still costs an attacker dearly while a login
costs the server a few tens of milliseconds (PBKDF2 at 1.5M iterations cost 374 ms here).
The algorithm name stays "argon2", so a hash whose parameters differ is upgraded by Django at
the next successful login (`must_update`).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2idHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
