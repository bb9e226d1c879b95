"""The audience a CDS client token must carry comes from configuration, never from the request."""

from __future__ import annotations

from medlm.privacy.cds_auth import cds_audience
from medlm.settings import SecuritySettings, ServiceSettings

PATH = "/cds-services/medlm-treatment-patient-view"


def test_without_a_base_the_audience_is_the_servers_configured_address() -> None:
    service = ServiceSettings(host="10.1.2.3", port=9443)
    assert cds_audience(SecuritySettings(), service, PATH) == f"http://10.1.2.3:9443{PATH}"


def test_an_ipv6_host_is_bracketed() -> None:
    service = ServiceSettings(host="::1", port=8000)
    assert cds_audience(SecuritySettings(), service, PATH) == f"http://[::1]:8000{PATH}"


def test_the_configured_base_wins_and_its_trailing_slash_is_ignored() -> None:
    security = SecuritySettings(cds_audience_base="https://cds.example.org/")
    audience = cds_audience(security, ServiceSettings(), PATH)
    assert audience == f"https://cds.example.org{PATH}"
