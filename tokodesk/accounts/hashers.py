"""The password hasher: Argon2id (Django's recommended one, through argon2-cffi), with
parameters measured on the deployment machine (2 CPUs) instead of Django's defaults.

Measured (bench: verify one password, mean of 7, the machine shared with a test run):
PBKDF2-SHA256 at Django 5.2's 1,000,000 iterations took 373 ms; Django's Argon2 defaults
(time 2, memory 100 MiB, parallelism 8) 160-200 ms; these (time 3, memory 64 MiB,
parallelism 2; RFC 9106's second recommended setting with the lanes cut to the machine's
two CPUs) about 150 ms, with a third less memory per concurrent login. PBKDF2 hashes stay
readable (PASSWORD_HASHERS lists it second) and are rewritten as Argon2 at the next
successful login (django.contrib.auth's check_password does that when the first hasher
differs); changing a parameter here likewise upgrades each hash at its next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TokodeskArgon2PasswordHasher(Argon2PasswordHasher):
    # Keeps Django's algorithm name "argon2", so hashes are Django's own format and a later
    # switch back to the stock hasher reads them.
    time_cost = 3
    memory_cost = 65536  # KiB: 64 MiB
    parallelism = 2
