"""The one place settings read the environment.

Every value that differs between machines is read here through django-environ,
so that `base`, `dev`, `test` and `production` read it the same way.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A developer may keep local values in a .env file at the top of the checkout.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
