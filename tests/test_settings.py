"""The settings module: argon2 first, production refuses to start without its secrets,
`check --deploy` is clean in production, SQLite runs in WAL mode. Settings are read once at
import, so each case runs a fresh interpreter with its own environment and data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

import xaso.settings as xaso_settings

PYTHON = sys.executable
XASO = str(Path(sys.executable).parent / "xaso")
SECRET = "k" * 20 + "Zq9-Wm3_Rt7!Yp2@Lx5#Nc8$Vb4%Hd6^Jf1&Gs0*"


def _run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run with only the variables given: nothing leaks in from the test run's environment."""
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_dir),
        "XASO_DATA_DIR": str(data_dir),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        args, env={**base, **env}, capture_output=True, text=True, timeout=120, check=False
    )


def _settings_json(
    data_dir: Path, names: list[str], **env: str
) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, xaso.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}, default=str))"
    )
    return _run([PYTHON, "-c", code], data_dir, **env)


def test_argon2_is_the_first_password_hasher() -> None:
    assert xaso_settings.PASSWORD_HASHERS == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    # The test suite swaps in MD5 for speed (tests/conftest.py); the module is unchanged.
    assert django_settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_argon2_hashes() -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("Mat-khau-thu-2026", hasher.salt())
    assert encoded.startswith("argon2$argon2id$v=19$")
    assert hasher.verify("Mat-khau-thu-2026", encoded) is True
    assert hasher.verify("mat-khau-thu-2026", encoded) is False


def test_shared_computer_defaults() -> None:
    assert xaso_settings.XASO_IDLE_TIMEOUT_SECONDS == 900
    assert (xaso_settings.AXES_FAILURE_LIMIT, xaso_settings.AXES_COOLOFF_TIME) == (5, 0.25)
    assert xaso_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert xaso_settings.AXES_LOCKOUT_CALLABLE == "xaso.accounts.views.lockout_response"
    assert (
        xaso_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
        xaso_settings.SESSION_COOKIE_HTTPONLY,
    ) == (True, True)
    middleware = xaso_settings.MIDDLEWARE
    assert middleware.index("xaso.accounts.middleware.IdleLogoutMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
    assert xaso_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_shared_computer_settings_from_the_environment(tmp_path: Path) -> None:
    out = _settings_json(
        tmp_path,
        ["XASO_IDLE_TIMEOUT_SECONDS", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME"],
        XASO_IDLE_TIMEOUT_MINUTES="0.5",
        XASO_LOGIN_FAILURE_LIMIT="3",
        XASO_LOGIN_COOLOFF_MINUTES="30",
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "XASO_IDLE_TIMEOUT_SECONDS": 30,
        "AXES_FAILURE_LIMIT": 3,
        "AXES_COOLOFF_TIME": 0.5,
    }


def test_production_without_secret_key_refuses_to_load(tmp_path: Path) -> None:
    out = _run(
        [
            PYTHON,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = "
            "'xaso.settings'; django.setup(); print('loaded')",
        ],
        tmp_path,
        XASO_ENV="production",
        ALLOWED_HOSTS="xaso.example.vn",
    )
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set and there is no "
        "secret_key file in XASO_DATA_DIR (run `xaso init` once to create one)."
    )


def test_production_reads_the_secret_key_file(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text(SECRET + "\n")
    out = _settings_json(
        tmp_path,
        ["SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "PRODUCTION"],
        XASO_ENV="production",
        ALLOWED_HOSTS="a.example.vn, b.example.vn",
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "SECRET_KEY": SECRET,
        "DEBUG": False,
        "ALLOWED_HOSTS": ["a.example.vn", "b.example.vn"],
        "PRODUCTION": True,
    }


def test_production_without_allowed_hosts_refuses_to_load(tmp_path: Path) -> None:
    out = _settings_json(tmp_path, ["DEBUG"], XASO_ENV="production", SECRET_KEY=SECRET)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: ALLOWED_HOSTS must list the host names in "
        "production."
    )


def test_unknown_environment_name_refuses_to_load(tmp_path: Path) -> None:
    out = _settings_json(tmp_path, ["DEBUG"], XASO_ENV="prod")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: XASO_ENV must be 'development' or "
        "'production'."
    )


def test_development_needs_nothing(tmp_path: Path) -> None:
    out = _settings_json(tmp_path, ["DEBUG", "ALLOWED_HOSTS", "PRODUCTION"])
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"DEBUG": True, "ALLOWED_HOSTS": ["*"], "PRODUCTION": False}


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    out = _run(
        [XASO, "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        XASO_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="xaso.example.vn",
        XASO_HTTPS="1",
    )
    assert (out.returncode, out.stdout, out.stderr) == (
        0,
        "System check identified no issues (0 silenced).\n",
        "",
    )


@pytest.mark.parametrize(
    ("pragma", "value"),
    [("journal_mode", "wal"), ("synchronous", 1), ("foreign_keys", 1), ("busy_timeout", 20000)],
)
def test_sqlite_file_database_pragmas(tmp_path: Path, pragma: str, value: object) -> None:
    code = (
        "import json, os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'xaso.settings'; "
        "django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA " + pragma + "'); "
        "print(json.dumps([connection.vendor, str(connection.settings_dict['NAME']), "
        "c.fetchone()[0]]))"
    )
    out = _run([PYTHON, "-c", code], tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == ["sqlite", str(tmp_path / "xaso.sqlite3"), value]
    assert (tmp_path / "xaso.sqlite3").is_file()


def test_database_url_switches_to_postgresql(tmp_path: Path) -> None:
    out = _settings_json(
        tmp_path, ["DATABASES"], DATABASE_URL="postgres://xaso:pw@db.example.vn:5433/xaso"
    )
    assert out.returncode == 0, out.stderr
    db = json.loads(out.stdout)["DATABASES"]["default"]
    assert (db["ENGINE"], db["NAME"], db["HOST"], db["PORT"], db["USER"], db["CONN_MAX_AGE"]) == (
        "django.db.backends.postgresql",
        "xaso",
        "db.example.vn",
        5433,
        "xaso",
        600,
    )
