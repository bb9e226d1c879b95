"""Settings: defaults, MEDLM_ environment variables, nested sections and the TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from medlm.errors import ConfigError
from medlm.settings import Settings, load_settings


def test_default_database_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    assert s.database_url == f"sqlite:///{(tmp_path / 'medlm.sqlite').resolve()}"


def test_short_env_names_set_database_url_and_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MEDLM_DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1/db")
    monkeypatch.setenv("MEDLM_DATA_DIR", str(tmp_path))
    s = load_settings()
    assert s.database_url == "postgresql+psycopg://u:p@127.0.0.1/db"
    assert s.data_dir == tmp_path


def test_nested_env_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDLM_SERVICE__PORT", "9123")
    assert load_settings().service.port == 9123


def test_toml_file_is_read_and_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = tmp_path / "medlm.toml"
    cfg.write_text('debug = true\n[service]\nport = 7000\nhost = "0.0.0.0"\n')
    monkeypatch.setenv("MEDLM_CONFIG", str(cfg))
    monkeypatch.setenv("MEDLM_SERVICE__HOST", "127.0.0.2")
    s = load_settings()
    assert s.debug is True
    assert s.service.port == 7000
    assert s.service.host == "127.0.0.2"


def test_missing_config_file_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDLM_CONFIG", "/nonexistent/medlm.toml")
    with pytest.raises(ConfigError, match="not a file"):
        load_settings()


def test_invalid_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDLM_SERVICE__PORT", "99999")
    with pytest.raises(ConfigError, match=r"service\.port"):
        load_settings()


def test_malformed_toml_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("port = = 3\n")
    monkeypatch.setenv("MEDLM_CONFIG", str(cfg))
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()


def test_a_cds_issuer_longer_than_the_replay_table_column_is_refused(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from medlm.settings import SecuritySettings

    SecuritySettings(cds_trusted_issuers={"https://ehr.example": tmp_path / "jwks.json"})
    with pytest.raises(ValidationError, match="longer than 255"):
        SecuritySettings(cds_trusted_issuers={"https://" + "e" * 250: tmp_path / "jwks.json"})
