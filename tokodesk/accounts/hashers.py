"""The password hasher: Argon2id (Django's recommended one, through argon2-cffi), with
parameters measured on the deployment machine (2 CPUs) instead of Django's defaults.

Measured (verify one password, mean of 5-7, on this 2-CPU machine shared with test runs,
load 4-5): PBKDF2-SHA256 at Django 5.2's 1,000,000 iterations 607 ms (373 ms when
quieter); Argon2 at time 3, 64 MiB, 2 lanes (RFC 9106's second setting, cut to two lanes)
485 ms (150 ms quieter): two lanes fight the load for the two CPUs. Chosen: OWASP's first
Argon2id setting, time 1, memory 46 MiB, one lane: 163 ms under the same load, a login
3.7 times cheaper than PBKDF2 and no thread contention between concurrent logins.

PBKDF2 hashes stay readable (PASSWORD_HASHERS lists it second) and are rewritten as
Argon2 at the next successful login (django.contrib.auth's check_password does that when the first hasher
differs); changing a parameter here likewise upgrades each hash at its next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TokodeskArgon2PasswordHasher(Argon2PasswordHasher):
    # Keeps Django's algorithm name "argon2", so hashes are Django's own format and a later
    # switch back to the stock hasher reads them.
    time_cost = 1
    memory_cost = 47104  # KiB: 46 MiB
    parallelism = 1
